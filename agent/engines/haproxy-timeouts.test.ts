/** A haproxy step that runs out of time is an ENGINE_TIMEOUT (504), never a refusal of the file; a stuck master given up on never survives beside a new one. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProcessRunner, RunResult } from '../process-runner';
import { createHaproxyEngine } from './haproxy';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-timeout-'));
afterAll(() => fs.rmSync(runDir, { recursive: true, force: true }));

/** A master that takes `reload` and then never answers again (stuck re-executing); `haproxy -c` killed for time. */
function stuckHaproxy() {
  fs.writeFileSync(path.join(runDir, 'haproxy.pid'), '4242\n');
  const runs: { args: string[]; timeoutMs?: number }[] = [];
  let reloading = false;
  const runner: ProcessRunner = {
    run: async (_cmd, args, opts): Promise<RunResult> => {
      runs.push({ args, timeoutMs: opts?.timeoutMs });
      return { code: null, signal: 'SIGKILL', stdout: '', stderr: '', timedOut: true };
    },
    isAlive: (pid) => pid === 4242,
    kill: () => true,
    cmdline: () => ['haproxy', '-S', `${path.join(runDir, 'master.sock')},mode,600`],
  };
  const query = async (_sock: string, cmd: string) => {
    if (cmd === 'reload') reloading = true;
    if (reloading) throw new Error('connect ECONNREFUSED master.sock');
    return '4242 master 0 [failed: 0] 0d 2.6\n# workers\n100 worker 0 0d 2.6\n';
  };
  return { runner, query, runs };
}

it('reports a check killed for time as ENGINE_TIMEOUT with its budget, passing the budget to the runner', async () => {
  const f = stuckHaproxy();
  const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query: f.query });
  const err = await e.check('/cfg', 'haproxy.cfg', { timeoutMs: 1234 }).catch((x) => x);
  expect(err).toMatchObject({ code: 'ENGINE_TIMEOUT', status: 504, step: 'check', timeoutMs: 1234 });
  expect(err.toBody()).toMatchObject({ code: 'ENGINE_TIMEOUT', step: 'check', timeout_ms: 1234 });
  expect(f.runs[0].timeoutMs).toBe(1234);
});

it('reports a reload that does not finish within its budget as ENGINE_TIMEOUT', async () => {
  const f = stuckHaproxy();
  let t = 0;
  const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query: f.query, now: () => t, sleep: async (ms) => void (t += ms) });
  const err = await e.reload(undefined, { timeoutMs: 500 }).catch((x) => x);
  expect(err).toMatchObject({ code: 'ENGINE_TIMEOUT', status: 504, step: 'reload', timeoutMs: 500 });
  expect(t).toBeGreaterThan(500);
});

it('stop also ends a master the pid file lost track of, and its workers, and no one else', async () => {
  fs.writeFileSync(path.join(runDir, 'haproxy.pid'), '4242\n');
  const ours = ['haproxy', '-W', '-D', '-S', `${path.join(runDir, 'master.sock')},mode,600`];
  const alive = new Set([4242, 5555, 5556, 7777]);
  const killed: string[] = [];
  const runner: ProcessRunner = {
    run: async (): Promise<RunResult> => ({ code: 0, signal: null, stdout: '', stderr: '' }),
    isAlive: (pid) => alive.has(pid),
    kill: (pid, sig) => {
      killed.push(`${pid} ${sig}`);
      if (sig !== 'SIGUSR1') alive.delete(pid);
      if (pid === 4242) alive.delete(pid);
      return true;
    },
    // 5555 and its worker 5556 carry our master socket; 7777 is someone else's haproxy
    cmdline: (pid) => (pid === 7777 ? ['haproxy', '-S', '/other/master.sock'] : alive.has(pid) ? ours : null),
    listPids: () => [1, 4242, 5555, 5556, 7777],
  };
  const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner, query: async () => '', sleep: async () => undefined });
  await e.stop(0);
  expect(killed).toEqual(['4242 SIGUSR1', '5555 SIGKILL', '5556 SIGKILL']);
  expect(alive.has(7777)).toBe(true);
});
