import { nullLogger } from '../log';
import type { ProcessRunner } from '../process-runner';
import { createNotifier } from './notify';

function fakeRunner() {
  const calls: string[][] = [];
  const runner: ProcessRunner = {
    run: async (cmd, args) => {
      calls.push([cmd, ...args]);
      return { code: 0, signal: null, stdout: '', stderr: '' };
    },
    isAlive: () => true,
    kill: () => true,
    cmdline: () => null,
  };
  return { calls, runner };
}

describe('createNotifier', () => {
  it('does nothing without NOTIFY_SOCKET', async () => {
    const f = fakeRunner();
    const n = createNotifier({ env: {}, log: nullLogger(), runner: f.runner });
    await n.ready('x');
    n.startWatchdog();
    n.close();
    expect(f.calls).toEqual([]);
  });

  it('sends to an abstract socket through systemd-notify with our pid, one line per assignment', async () => {
    const f = fakeRunner();
    const n = createNotifier({ env: { NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify' }, log: nullLogger(), runner: f.runner, pid: 77 });
    await n.reloading('applying\ngeneration 2');
    expect(f.calls).toEqual([['systemd-notify', '--pid=77', 'RELOADING=1', 'STATUS=applying generation 2']]);
  });

  it('pings the watchdog only when WATCHDOG_PID is ours', async () => {
    const f = fakeRunner();
    const n = createNotifier({ env: { NOTIFY_SOCKET: '@x', WATCHDOG_USEC: '1000000', WATCHDOG_PID: '5' }, log: nullLogger(), runner: f.runner, pid: 77 });
    n.startWatchdog();
    await new Promise((r) => setImmediate(r));
    expect(f.calls).toEqual([]);
    n.close();
  });
});
