/**
 * The nginx adapter: the only code that runs nginx. nginx runs daemonized
 * with its own prefix and error log under the state directory
 * (`nginx -p PREFIX -c CURRENT/nginx.conf -e PREFIX/error.log`), so it
 * outlives the agent; a reload is SIGHUP: the master re-reads the config
 * through the `current` symlink, starts new workers on the listening sockets
 * it holds and lets the old ones drain. The reload took when the private
 * status server answers the token of the files in `current`; it failed when
 * nginx logs an `[emerg]` after the signal (its words become the error).
 * Before the signal the agent drains idle keep-alive connections
 * (nginx-drain.ts), so that none is reset by the old workers' shutdown.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DRAIN_FILE, PID_FILE, STATUS_PATHS, STATUS_SOCKET, TOKEN_FILE } from '../../renderers/nginx/context';
import { EngineFailed } from '../errors';
import type { Logger } from '../log';
import type { ProcessRunner } from '../process-runner';
import { pollDelayMs } from '../poll';
import { httpGetUnix, type UnixHttpGet } from '../unix-socket';
import { parseNginxBuild, type NginxBuild } from './nginx-build';
import { drainIdle, lowerDrainFlag } from './nginx-drain';
import { explainBindFailure } from './nginx-nonlocal';
import { emergSince, logSize, trimErrorLog } from './nginx-errorlog';
import { listProcesses, nginxWorkers, type ProcessLister } from './nginx-procs';
import { nginxListenerStates, nginxUnbound } from './nginx-listeners';
import { readProcNet, type ProcNetReader } from './proc-net';
import type { CheckResult, Engine, EngineStatus } from './types';

export interface NginxOptions {
  cmd: string;
  /** the pid file, status and log sockets (renderers/nginx/context.ts names them) */
  runDir: string;
  /** nginx's prefix: temporary files, error.log, check.log */
  prefix: string;
  /** the stable config dir (the `current` symlink) nginx reads at each reload */
  configDir: string;
  runner: ProcessRunner;
  statusGet?: UnixHttpGet;
  listProcs?: ProcessLister;
  procNet?: ProcNetReader;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** how long a start or reload may take before it counts as failed */
  readyTimeoutMs?: number;
  /** why non-local binds do not work here (nginx-nonlocal.ts), added to nginx -t's words when a bind fails; null: they work */
  nonlocalProblem?: string | null;
  /** the longest a reload waits for idle keep-alive connections (default DRAIN_CAP_MS) */
  drainCapMs?: number;
  log?: Logger;
}

/** Runs `nginx -V` once: version, and how the stream module comes. */
export async function nginxBuild(runner: ProcessRunner, cmd: string): Promise<NginxBuild> {
  const r = await runner.run(cmd, ['-V'], { timeoutMs: 10000 });
  if (r.code !== 0) throw new EngineFailed(`${cmd} -V exited with ${r.code}: ${r.stderr.trim()}`);
  return parseNginxBuild(`${r.stderr}\n${r.stdout}`);
}

/** Creates the nginx adapter. */
export function createNginxEngine(o: NginxOptions): Engine {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? (() => Date.now());
  const readyTimeoutMs = o.readyTimeoutMs ?? 15000;
  const statusGet = o.statusGet ?? httpGetUnix;
  const listProcs = o.listProcs ?? listProcesses;
  const procNet = o.procNet ?? readProcNet;
  const pidFile = path.join(o.runDir, PID_FILE);
  const statusSocket = path.join(o.runDir, STATUS_SOCKET);
  const errorLog = path.join(o.prefix, 'error.log');
  const drainFlag = path.join(o.runDir, DRAIN_FILE);
  let configDir = o.configDir;
  const counters = { reloads: 0, failed: 0 };

  const masterPid = (): number | null => {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
    } catch {
      return null;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !o.runner.isAlive(pid)) return null;
    // a reused pid is not ours: our master's title names our prefix ("nginx: master process CMD -p PREFIX ...")
    const title = o.runner.cmdline(pid)?.join(' ') ?? '';
    return title.startsWith('nginx: master process') && title.includes(` -p ${o.prefix} `) ? pid : null;
  };

  const expectedToken = () => fs.readFileSync(path.join(configDir, TOKEN_FILE), 'utf8').trim();
  const servingToken = async () => {
    const r = await statusGet(statusSocket, STATUS_PATHS.token, 2000);
    if (r.status !== 200) throw new Error(`the nginx status server answered ${r.status}`);
    return r.body.trim();
  };

  /**
   * Polls until the status server answers the token of `current` from
   * workers none of which is in `oldWorkers` (the same files give the same
   * token: the new workers tell that the reload happened); nginx's `[emerg]`
   * lines since `logFrom` end it early.
   */
  const waitForToken = async (what: string, logFrom: number, oldWorkers: readonly number[] = []): Promise<void> => {
    const want = expectedToken();
    const began = now();
    const deadline = began + readyTimeoutMs;
    let last: unknown;
    for (;;) {
      try {
        if ((await servingToken()) === want) {
          const st = await status();
          if (st.workerPids?.length && !st.workerPids.some((p) => oldWorkers.includes(p))) return;
        }
      } catch (e) {
        last = e;
      }
      const emerg = emergSince(errorLog, logFrom);
      // a bind that fails is retried (5 times, 500 ms apart) before nginx gives up with "still could not bind()":
      // until then the master is busy with this attempt, and a rollback's signal would be taken for it
      const binding = emerg.some((l) => /^bind\(\) to .* failed/.test(l)) && !emerg.some((l) => l.startsWith('still could not bind()'));
      const refused = () => new EngineFailed(`nginx refused the new configuration at ${what} (the previous workers keep serving): ${[...new Set(emerg)].join('; ')}`);
      if (emerg.length && !binding) throw refused();
      if (now() > deadline) throw emerg.length ? refused() : new EngineFailed(`nginx: ${what} did not happen within ${readyTimeoutMs} ms`, { cause: last });
      await sleep(pollDelayMs(now() - began));
    }
  };

  /** Raises the drain flag and waits; a flag that cannot be written is logged and the reload goes on (not hitless, but served). */
  const drain = async (): Promise<void> => {
    try {
      const d = await drainIdle({ flagFile: drainFlag, statusSocket, statusGet, sleep, now, capMs: o.drainCapMs });
      const fields = { drain_ms: d.ms, idle_connections: d.waiting };
      if (d.capped) o.log?.info('nginx reload: idle connections left when the drain cap ran out (they may see a reset)', fields);
      else o.log?.debug('nginx reload: keep-alive connections drained', fields);
    } catch (e) {
      o.log?.warn('nginx reload: cannot raise the drain flag; idle keep-alive connections may see a reset', { error: e, flag: drainFlag });
    }
  };

  /** Lowers the drain flag; a failure is logged, not thrown (it must not hide the reload's own outcome). */
  const lower = () => {
    try {
      lowerDrainFlag(drainFlag);
    } catch (e) {
      o.log?.warn('nginx: cannot remove the drain flag; answers keep saying Connection: close until it is removed', { error: e, flag: drainFlag });
    }
  };

  const status = async (): Promise<EngineStatus> => {
    const base: EngineStatus = { running: false, masterPid: null, workerPid: null, oldWorkerPids: [], reloads: counters.reloads, failedReloads: counters.failed, statsSocket: statusSocket, masterSocket: '' };
    const pid = masterPid();
    if (pid === null) return base;
    const w = nginxWorkers(pid, listProcs(pid));
    return { ...base, running: true, masterPid: pid, workerPid: w.current[0] ?? null, workerPids: w.current, oldWorkerPids: w.old };
  };

  return {
    name: 'nginx',
    // keepalived's VRRP check: our master's title names our prefix (one string: nginx rewrites its argv)
    probe: { pidFile, cmdlineMarker: ` -p ${o.prefix} ` },

    async version() {
      const b = await nginxBuild(o.runner, o.cmd);
      return { version: b.version, full: b.full };
    },

    async check(dir, mainFile): Promise<CheckResult> {
      fs.mkdirSync(o.prefix, { recursive: true, mode: 0o700 });
      fs.mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
      // its own log: a check running beside a reload must not look like the reload's failure
      const checkLog = path.join(o.prefix, 'check.log');
      trimErrorLog(checkLog);
      const r = await o.runner.run(o.cmd, ['-t', '-q', '-p', o.prefix, '-c', path.join(dir, mainFile), '-e', checkLog], { timeoutMs: 60000 });
      const output = `${r.stderr}\n${r.stdout}`.trim();
      return { ok: r.code === 0, output: r.code === 0 ? output : explainBindFailure(output, o.nonlocalProblem ?? null) };
    },

    async start(dir, mainFile) {
      configDir = dir;
      fs.mkdirSync(o.prefix, { recursive: true, mode: 0o700 });
      fs.mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
      // a status socket left by a killed nginx would make the new one fail to bind
      if (masterPid() === null) fs.rmSync(statusSocket, { force: true });
      const from = logSize(errorLog);
      const r = await o.runner.run(o.cmd, ['-p', o.prefix, '-c', path.join(dir, mainFile), '-e', errorLog], { detached: true, timeoutMs: 60000 });
      if (r.code !== 0) throw new EngineFailed(`nginx did not start (exit ${r.code}): ${`${r.stderr}\n${r.stdout}`.trim()}`);
      await waitForToken('start', from);
    },

    async reload(_next, opts) {
      const pid = masterPid();
      if (pid === null) throw new EngineFailed('nginx is not running; nothing to reload');
      trimErrorLog(errorLog);
      counters.reloads++;
      try {
        await drain();
        const from = logSize(errorLog);
        const before = (await status()).workerPids ?? [];
        await opts?.ready?.catch(() => undefined);
        o.runner.kill(pid, 'SIGHUP');
        // done only when none of `before` is a current worker: each old one was told to stop (and set
        // `Connection: close` itself) before the flag comes down
        await waitForToken('the reload', from, before);
      } catch (e) {
        counters.failed++;
        throw e;
      } finally {
        lower();
      }
    },

    async stop(graceMs = 5000) {
      const pid = masterPid();
      if (pid === null) return;
      const workers = () => listProcs(pid).filter((p) => p.ppid === pid).map((p) => p.pid);
      // SIGQUIT: graceful, workers finish their requests; then SIGTERM (fast); then SIGKILL, workers too
      o.runner.kill(pid, 'SIGQUIT');
      const deadline = now() + graceMs;
      while (o.runner.isAlive(pid) && now() < deadline) await sleep(25);
      if (o.runner.isAlive(pid)) o.runner.kill(pid, 'SIGTERM');
      const hard = now() + 5000;
      while (o.runner.isAlive(pid) && now() < hard) await sleep(25);
      if (o.runner.isAlive(pid)) {
        const left = workers();
        o.runner.kill(pid, 'SIGKILL');
        for (const w of left) o.runner.kill(w, 'SIGKILL');
      }
      fs.rmSync(pidFile, { force: true });
      lower();
    },

    status,

    async verify(plan) {
      const st = await status();
      if (!st.running || st.workerPid === null) return 'nginx has no current worker';
      const want = expectedToken();
      const got = await servingToken();
      if (got !== want) return `nginx serves configuration ${got}, not ${want}`;
      const missing = nginxUnbound(plan, procNet);
      return missing.length ? `listeners not bound: ${missing.join(', ')}` : null;
    },

    listenerStates: async (plan) => nginxListenerStates(plan, (await status()).running, procNet),
  };
}
