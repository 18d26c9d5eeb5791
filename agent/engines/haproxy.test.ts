import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ServePlan } from '../../renderers/types';
import { SERVER_STATE_FILE } from '../../renderers/haproxy/runtime-files';
import type { ProcessRunner, RunResult } from '../process-runner';
import { POLL_MAX_MS, POLL_MIN_MS } from '../poll';
import { createHaproxyEngine, parseHaproxyVersion, parseShowInfo, parseShowProc, parseShowStat } from './haproxy';

const SHOW_PROC = `#<PID>          <type>          <reloads>       <uptime>        <version>
16582           master          3 [failed: 1]   0d00h00m28s     2.6.12-1+deb12u4
# workers
16902           worker          0               0d00h00m00s     2.6.12-1+deb12u4
16583           worker          2               0d00h00m28s     2.6.12-1+deb12u4
# programs
`;

describe('haproxy output parsers', () => {
  it('reads show proc: master counters, current and old workers', () => {
    expect(parseShowProc(SHOW_PROC)).toEqual([
      { pid: 16582, type: 'master', reloads: 3, failed: 1 },
      { pid: 16902, type: 'worker', reloads: 0, failed: 0 },
      { pid: 16583, type: 'worker', reloads: 2, failed: 0 },
    ]);
  });
  it('reads show info and show stat', () => {
    expect(parseShowInfo('Name: HAProxy\nPid: 42\nUptime: 0d 0h00m06s\n')).toEqual({ Name: 'HAProxy', Pid: '42', Uptime: '0d 0h00m06s' });
    expect(parseShowStat('# pxname,svname,scur,status,\nfe,FRONTEND,0,OPEN,\nbe:fe,m1,0,UP,\n')).toEqual([
      { pxname: 'fe', svname: 'FRONTEND', scur: '0', status: 'OPEN' },
      { pxname: 'be:fe', svname: 'm1', scur: '0', status: 'UP' },
    ]);
  });
  it('reads the version line of haproxy -v', () => {
    expect(parseHaproxyVersion('HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\nStatus: ...')).toEqual({
      version: '2.6.12', full: 'HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/',
    });
    expect(() => parseHaproxyVersion('nginx version: nginx/1.22.1')).toThrow('cannot read the haproxy version');
  });
});

/** A fake master: answers show proc from a script, counts reloads. */
function fakeHaproxy(runDir: string, outcomes: ('ok' | 'fail')[]) {
  const calls: string[][] = [];
  let reloads = 0;
  let failed = 0;
  let worker = 100;
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'haproxy.pid'), '4242\n');
  const runner: ProcessRunner = {
    run: async (cmd, args): Promise<RunResult> => {
      calls.push([cmd, ...args]);
      return args[0] === '-c' ? { code: 1, signal: null, stdout: '', stderr: '[ALERT] bad line' } : { code: 0, signal: null, stdout: '', stderr: '' };
    },
    isAlive: (pid) => pid === 4242,
    kill: () => true,
    cmdline: () => ['haproxy', '-W', '-D', '-S', `${path.join(runDir, 'master.sock')},mode,600`],
  };
  const query = async (_sock: string, cmd: string) => {
    if (cmd === 'reload') {
      reloads++;
      if (outcomes.shift() === 'fail') failed++;
      else {
        failed = 0;
        worker++;
      }
      throw new Error('read ECONNRESET');
    }
    return `4242 master ${reloads} [failed: ${failed}] 0d 2.6\n# workers\n${worker} worker 0 0d 2.6\n`;
  };
  return { runner, query, calls };
}

describe('createHaproxyEngine', () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-'));
  afterAll(() => fs.rmSync(runDir, { recursive: true, force: true }));

  it('reloads through the master CLI and waits for the new worker', async () => {
    const f = fakeHaproxy(runDir, ['ok']);
    const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query: f.query, sleep: async () => undefined });
    expect((await e.status()).workerPid).toBe(100);
    await e.reload();
    expect(await e.status()).toMatchObject({ running: true, masterPid: 4242, workerPid: 101, reloads: 1, failedReloads: 0 });
  });

  it('looks for the new worker often while the reload is young, less often as it goes on', async () => {
    const f = fakeHaproxy(runDir, ['ok']);
    // a clock that moves by what the engine sleeps; the master has no CLI for the 120 ms it parses
    let clock = 0;
    let answersAt = 0;
    const sleeps: number[] = [];
    const query = async (sock: string, cmd: string) => {
      if (cmd === 'reload') answersAt = clock + 120;
      else if (clock < answersAt) throw new Error('connect ECONNREFUSED');
      return f.query(sock, cmd);
    };
    const e = createHaproxyEngine({
      cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query, now: () => clock,
      sleep: async (ms) => void (sleeps.push(ms), (clock += ms)),
    });
    await e.reload(undefined, { status: await e.status() });
    expect(sleeps[0]).toBe(POLL_MIN_MS);
    expect(Math.max(...sleeps)).toBe(POLL_MAX_MS);
    // never shorter than the pause before
    expect(sleeps).toEqual([...sleeps].sort((a, b) => a - b));
    // noticed within one longest pause of the worker being there
    expect(clock).toBeGreaterThanOrEqual(120);
    expect(clock).toBeLessThanOrEqual(120 + POLL_MAX_MS);
  });

  it('writes the member health a prepared reload took beside the check, and takes it itself without one', async () => {
    const f = fakeHaproxy(runDir, ['ok', 'ok', 'ok']);
    const header = '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';
    // m1 DOWN (op state 0) in the first dump, UP (2) in every later one
    let dumps = 0;
    const dump = (op: number) => ['1', header, `3 p1:l1 1 m1 192.0.2.1 ${op} 0 1 1 2 8 2 0 6 0 0 0 - 80 - 0 0 - - 0`, ''].join('\n');
    const query = async (sock: string, cmd: string) => (cmd === 'show servers state' ? dump(dumps++ === 0 ? 0 : 2) : f.query(sock, cmd));
    const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query, sleep: async () => undefined });
    const next: ServePlan = {
      reported: ['l1'], engine: [], lvs: [], otherBinds: [],
      pools: [{ key: 'p1:l1', poolId: 'p1', listenerId: 'l1', algorithm: 'ROUND_ROBIN', persistence: null, members: [{ id: 'm1', address: '192.0.2.1', port: 80, weight: 1, enabled: true, spec: '' }] }],
    };
    const stateFile = path.join(runDir, SERVER_STATE_FILE);
    const prep = e.prepareReload!(next);
    await prep;
    await e.reload(next, { prep });
    expect(dumps).toBe(1);
    expect(fs.readFileSync(stateFile, 'utf8')).toBe(dump(0));
    // without one, or with one made for another plan, the reload takes the state itself
    await e.reload(next);
    expect(dumps).toBe(2);
    expect(fs.readFileSync(stateFile, 'utf8')).toBe(dump(2));
    await e.reload(next, { prep: e.prepareReload!({ ...next }) });
    expect(dumps).toBe(4);
  });

  it('takes the status it is given, and tells the master to reload only once `ready` settled (a rejection too)', async () => {
    const f = fakeHaproxy(runDir, ['ok', 'ok']);
    const seen: string[] = [];
    const query = async (sock: string, cmd: string) => (seen.push(cmd), f.query(sock, cmd));
    const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query, sleep: async () => undefined });
    const st = await e.status();
    seen.length = 0;
    let release!: () => void;
    const ready = new Promise<void>((r) => (release = r)).then(() => seen.push('ready'));
    const reloading = e.reload(undefined, { status: st, ready });
    await new Promise((r) => setTimeout(r, 20));
    // nothing asked before the reload (the status was given), and no reload while `ready` is pending
    expect(seen).toEqual([]);
    release();
    await reloading;
    expect(seen.slice(0, 2)).toEqual(['ready', 'reload']);
    expect((await e.status()).workerPid).toBe(101);
    // a hook that failed does not hold the reload back
    seen.length = 0;
    await e.reload(undefined, { ready: Promise.reject(new Error('no counters')) });
    expect(seen.slice(0, 2)).toEqual(['show proc', 'reload']);
  });

  it('reports a reload the master refused', async () => {
    const f = fakeHaproxy(runDir, ['fail']);
    const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query: f.query, sleep: async () => undefined });
    await expect(e.reload()).rejects.toThrow('haproxy refused the new configuration at reload');
  });

  it('checks with -c -C dir -f dir/main and returns haproxy\'s words', async () => {
    const f = fakeHaproxy(runDir, []);
    const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query: f.query });
    expect(await e.check('/cfg', 'haproxy.cfg')).toEqual({ ok: false, output: '[ALERT] bad line' });
    expect(f.calls[0]).toEqual(['/usr/sbin/haproxy', '-c', '-C', '/cfg', '-f', '/cfg/haproxy.cfg']);
  });

  it('asks the stats socket for the frontends alone and keeps only the columns asked for', async () => {
    const f = fakeHaproxy(runDir, []);
    const asked: string[] = [];
    const csv = '# pxname,svname,qcur,scur,stot,status,\nl1,FRONTEND,,3,70,OPEN,\nl2,FRONTEND,,0,5,FULL,\n';
    const query = async (sock: string, cmd: string) => (cmd.startsWith('show stat') ? (asked.push(cmd), csv) : f.query(sock, cmd));
    const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query });
    expect(await e.stats!({ frontendsOnly: true, columns: ['pxname', 'status'] })).toEqual([{ pxname: 'l1', status: 'OPEN' }, { pxname: 'l2', status: 'FULL' }]);
    expect((await e.stats!())[0]).toEqual({ pxname: 'l1', svname: 'FRONTEND', qcur: '', scur: '3', stot: '70', status: 'OPEN' });
    expect(asked).toEqual(['show stat -1 1 -1', 'show stat']);
  });

  it('does not take a reused pid for its master', async () => {
    const f = fakeHaproxy(runDir, []);
    f.runner.cmdline = () => ['/usr/bin/something-else'];
    const e = createHaproxyEngine({ cmd: '/usr/sbin/haproxy', runDir, runner: f.runner, query: f.query });
    expect((await e.status()).running).toBe(false);
  });
});
