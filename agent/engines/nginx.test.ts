import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProcessRunner, RunResult } from '../process-runner';
import { createLogger } from '../log';
import { createNginxEngine } from './nginx';
import { DRAIN_CAP_MS, parseStubStatus } from './nginx-drain';
import { parseNginxBuild } from './nginx-build';
import { nginxWorkers, type ProcInfo } from './nginx-procs';

const V = `nginx version: nginx/1.22.1
built with OpenSSL 3.0.22
TLS SNI support enabled
configure arguments: --prefix=/usr/share/nginx --modules-path=/usr/lib/nginx/modules --with-http_ssl_module --with-stream=dynamic --with-stream_ssl_module`;

test.each([
  [V, { version: '1.22.1', full: 'nginx version: nginx/1.22.1', stream: true, streamModule: '/usr/lib/nginx/modules/ngx_stream_module.so' }],
  [V.replace('--with-stream=dynamic', '--with-stream'), { version: '1.22.1', full: 'nginx version: nginx/1.22.1', stream: true, streamModule: null }],
  [V.replace(' --with-stream=dynamic', ''), { version: '1.22.1', full: 'nginx version: nginx/1.22.1', stream: false, streamModule: null }],
])('parseNginxBuild', (out, want) => expect(parseNginxBuild(out)).toEqual(want));

test('parseNginxBuild refuses what is not nginx', () => expect(() => parseNginxBuild('HAProxy version 2.6.12')).toThrow(/cannot read the nginx version/));

test('nginxWorkers tells current workers from draining ones by their titles', () => {
  const procs: ProcInfo[] = [
    { pid: 10, ppid: 1, title: 'nginx: master process /usr/sbin/nginx -p /s/nginx -c /s/current/nginx.conf' },
    { pid: 12, ppid: 10, title: 'nginx: worker process is shutting down' },
    { pid: 14, ppid: 10, title: 'nginx: worker process' },
    { pid: 13, ppid: 10, title: 'nginx: worker process' },
    { pid: 20, ppid: 99, title: 'nginx: worker process' },
  ];
  expect(nginxWorkers(10, procs)).toEqual({ current: [13, 14], old: [12] });
});

const STUB = (waiting: number) => `Active connections: ${waiting + 1} \nserver accepts handled requests\n 10 10 20 \nReading: 0 Writing: 1 Waiting: ${waiting} \n`;

test('parseStubStatus reads nginx\'s counters; anything else is null', () => {
  expect(parseStubStatus(STUB(3))).toEqual({ active: 4, reading: 0, writing: 1, waiting: 3 });
  expect(parseStubStatus('tok-1\n')).toBeNull();
});

/**
 * A fake nginx: a master whose workers change at SIGHUP, a status server
 * answering a token and stub_status (`idle` connections Waiting: each poll
 * while the drain flag exists answers the next), an error log.
 */
function fake(dir: string, outcome: 'ok' | 'emerg' | 'cert' = 'ok', idle: number[] = [0]) {
  const prefix = path.join(dir, 'nginx');
  const runDir = path.join(dir, 'run');
  const conf = path.join(dir, 'current');
  fs.mkdirSync(conf, { recursive: true });
  fs.writeFileSync(path.join(conf, 'config-token'), 'tok-2\n');
  const calls: string[][] = [];
  const signals: string[] = [];
  const flag = path.join(runDir, 'nginx-drain');
  /** at each signal: whether the drain flag existed */
  const flagAtSignal: boolean[] = [];
  const polls: string[] = [];
  const logs: Record<string, unknown>[] = [];
  // a clock that moves by what the engine sleeps (the drain cap and ready timeout count in it)
  let clock = 0;
  let serving = 'tok-1';
  let workers = [100, 101];
  let alive = false;
  const runner: ProcessRunner = {
    run: async (cmd, args): Promise<RunResult> => {
      calls.push([cmd, ...args]);
      if (args[0] === '-t') return { code: 1, signal: null, stdout: '', stderr: 'nginx: [emerg] unknown directive "x"' };
      alive = true;
      fs.mkdirSync(runDir, { recursive: true });
      fs.writeFileSync(path.join(runDir, 'nginx.pid'), '4242\n');
      serving = 'tok-2';
      return { code: 0, signal: null, stdout: '', stderr: '' };
    },
    isAlive: (pid) => pid === 4242 && alive,
    kill: (_pid, sig) => {
      signals.push(sig);
      flagAtSignal.push(fs.existsSync(flag));
      if (sig === 'SIGHUP') {
        const log = (l: string) => fs.appendFileSync(path.join(prefix, 'error.log'), `2026/01/01 00:00:00 [emerg] 4242#4242: ${l}\n`);
        if (outcome === 'emerg') {
          // nginx retries a bind, then gives up
          log('bind() to 127.0.0.1:80 failed (98: Address already in use)');
          setTimeout(() => log('bind() to 127.0.0.1:80 failed (98: Address already in use)'), 5);
          setTimeout(() => log('still could not bind()'), 10);
        } else if (outcome === 'cert') log('cannot load certificate "certs/x.pem": PEM_read_bio_X509_AUX() failed');
        else {
          workers = workers.map((w) => w + 10);
          serving = 'tok-2';
        }
      }
      if (sig === 'SIGQUIT') alive = false;
      return true;
    },
    cmdline: () => [`nginx: master process /usr/sbin/nginx -p ${prefix} -c ${conf}/nginx.conf -e ${prefix}/error.log`],
  };
  const engine = createNginxEngine({
    cmd: '/usr/sbin/nginx', runDir, prefix, configDir: conf, runner, readyTimeoutMs: 500,
    sleep: (ms) => {
      clock += ms;
      return new Promise((r) => setTimeout(r, Math.min(ms, 2)));
    },
    now: () => clock,
    statusGet: async (_sock, urlPath) => {
      polls.push(urlPath);
      if (urlPath !== '/stub_status') return { status: 200, body: `${serving}\n` };
      if (!fs.existsSync(flag)) throw new Error('stub_status polled without the drain flag');
      const w = idle.length > 1 ? idle.shift()! : idle[0];
      return w < 0 ? { status: 404, body: 'not found' } : { status: 200, body: STUB(w) };
    },
    log: createLogger({ debug: true, write: (l) => logs.push(JSON.parse(l)) }),
    listProcs: () => [{ pid: 4242, ppid: 1, title: 'nginx: master process' }, ...workers.map((pid) => ({ pid, ppid: 4242, title: 'nginx: worker process' }))],
    procNet: () => '',
  });
  return { engine, calls, signals, prefix, conf, runDir, flag, flagAtSignal, polls, logs, set: (t: string) => (serving = t) };
}

describe('createNginxEngine', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngx-engine-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('check runs nginx -t on the staged dir with its own log and returns its words', async () => {
    const f = fake(dir);
    const r = await f.engine.check('/stage/g1', 'nginx.conf');
    expect(r).toEqual({ ok: false, output: 'nginx: [emerg] unknown directive "x"' });
    expect(f.calls[0]).toEqual(['/usr/sbin/nginx', '-t', '-q', '-p', f.prefix, '-c', '/stage/g1/nginx.conf', '-e', path.join(f.prefix, 'check.log')]);
  });

  test('start runs nginx on the current dir and waits for its token; status names master and workers', async () => {
    const f = fake(dir);
    expect((await f.engine.status()).running).toBe(false);
    await f.engine.start(f.conf, 'nginx.conf');
    expect(f.calls[0]).toEqual(['/usr/sbin/nginx', '-p', f.prefix, '-c', path.join(f.conf, 'nginx.conf'), '-e', path.join(f.prefix, 'error.log')]);
    expect(await f.engine.status()).toMatchObject({ running: true, masterPid: 4242, workerPid: 100, workerPids: [100, 101], masterSocket: '' });
  });

  test('reload: SIGHUP, done when new workers answer the token of current', async () => {
    const f = fake(dir);
    await f.engine.start(f.conf, 'nginx.conf');
    await f.engine.reload();
    expect(f.signals).toEqual(['SIGHUP']);
    expect(await f.engine.status()).toMatchObject({ workerPids: [110, 111], reloads: 1, failedReloads: 0 });
  });

  test('reload: raises the drain flag, polls stub_status until no connection is idle, then SIGHUP; the flag comes down once the new workers serve', async () => {
    const f = fake(dir, 'ok', [2, 1, 0]);
    await f.engine.start(f.conf, 'nginx.conf');
    f.polls.length = 0;
    await f.engine.reload();
    expect(f.flagAtSignal).toEqual([true]);
    expect(f.polls.slice(0, 4)).toEqual(['/stub_status', '/stub_status', '/stub_status', '/config-token']);
    expect(fs.existsSync(f.flag)).toBe(false);
    expect(f.logs).toEqual([expect.objectContaining({ level: 'debug', msg: expect.stringMatching(/drained/), idle_connections: 0, drain_ms: expect.any(Number) })]);
  });

  test('reload: connections that stay idle hold the signal back no longer than DRAIN_CAP_MS, and are logged', async () => {
    const f = fake(dir, 'ok', [3]);
    await f.engine.start(f.conf, 'nginx.conf');
    await f.engine.reload();
    expect(f.signals).toEqual(['SIGHUP']);
    expect(f.flagAtSignal).toEqual([true]);
    expect(fs.existsSync(f.flag)).toBe(false);
    const line = f.logs.find((l) => l.level === 'info');
    expect(line).toMatchObject({ msg: expect.stringMatching(/drain cap/), idle_connections: 3 });
    expect(line!.drain_ms).toBeGreaterThanOrEqual(DRAIN_CAP_MS);
    expect(line!.drain_ms).toBeLessThan(DRAIN_CAP_MS + 50);
  });

  test('reload: a status server that does not answer stub_status only costs the cap; the reload happens', async () => {
    const f = fake(dir, 'ok', [-1]);
    await f.engine.start(f.conf, 'nginx.conf');
    await f.engine.reload();
    expect(await f.engine.status()).toMatchObject({ workerPids: [110, 111], reloads: 1, failedReloads: 0 });
    expect(f.logs.find((l) => l.level === 'info')).toMatchObject({ idle_connections: null });
    expect(fs.existsSync(f.flag)).toBe(false);
  });

  test('reload: the drain flag comes down when the reload fails too', async () => {
    const f = fake(dir, 'cert', [1, 0]);
    await f.engine.start(f.conf, 'nginx.conf');
    await expect(f.engine.reload()).rejects.toThrow(/cannot load certificate/);
    expect(f.flagAtSignal).toEqual([true]);
    expect(fs.existsSync(f.flag)).toBe(false);
  });

  test('reload: a drain flag that cannot be created is logged and the reload goes on', async () => {
    const f = fake(dir);
    await f.engine.start(f.conf, 'nginx.conf');
    fs.mkdirSync(path.join(f.flag, 'x'), { recursive: true }); // a directory where the flag goes: EISDIR
    await f.engine.reload();
    expect(f.signals).toEqual(['SIGHUP']);
    expect(f.logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([expect.stringMatching(/cannot raise the drain flag/), expect.stringMatching(/cannot remove the drain flag/)]);
  });

  test('stop removes a drain flag', async () => {
    const f = fake(dir);
    await f.engine.start(f.conf, 'nginx.conf');
    fs.writeFileSync(f.flag, '');
    await f.engine.stop(100);
    expect(fs.existsSync(f.flag)).toBe(false);
  });

  test('reload: an [emerg] after the signal fails it with nginx\'s words', async () => {
    const f = fake(dir, 'emerg');
    await f.engine.start(f.conf, 'nginx.conf');
    fs.mkdirSync(f.prefix, { recursive: true });
    fs.writeFileSync(path.join(f.prefix, 'error.log'), '2026/01/01 [emerg] 1#1: an old failure\n');
    await expect(f.engine.reload()).rejects.toThrow(/refused the new configuration at the reload .*: bind\(\) to 127\.0\.0\.1:80 failed \(98: Address already in use\); still could not bind\(\)$/);
    expect((await f.engine.status()).failedReloads).toBe(1);
  });

  test('reload: an [emerg] that is not a bind fails it at once', async () => {
    const f = fake(dir, 'cert');
    await f.engine.start(f.conf, 'nginx.conf');
    await expect(f.engine.reload()).rejects.toThrow(/: cannot load certificate "certs\/x\.pem": PEM_read_bio_X509_AUX\(\) failed$/);
  });

  test('verify: the token of current and every listener bound', async () => {
    const f = fake(dir);
    await f.engine.start(f.conf, 'nginx.conf');
    const plan = { reported: ['l1'], engine: [{ id: 'l1', binds: [{ host: '127.0.0.1', port: 80 }] }], lvs: [], pools: [], otherBinds: [] };
    expect(await f.engine.verify!(plan)).toBe('listeners not bound: 127.0.0.1:80');
    f.set('tok-1');
    expect(await f.engine.verify!(plan)).toBe('nginx serves configuration tok-1, not tok-2');
  });

  test('stop: SIGQUIT first (the fake master leaves at once)', async () => {
    const f = fake(dir);
    await f.engine.start(f.conf, 'nginx.conf');
    await f.engine.stop(100);
    expect(f.signals).toEqual(['SIGQUIT']);
    expect((await f.engine.status()).running).toBe(false);
  });
});
