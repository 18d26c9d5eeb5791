/**
 * The haproxy adapter: the only code that runs haproxy. It drives haproxy in
 * master-worker mode (`-W -D -S master.sock`): the master is daemonized so it
 * outlives the agent, reloads re-exec the master, which re-reads the config
 * through the stable `current` symlink and hands the listening sockets to the
 * new worker (the stats socket carries `expose-fd listeners`), so no
 * connection is refused. Process runner, socket client and sleep are injected.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineFailed, EngineTimeout } from '../errors';
import type { ProcessRunner } from '../process-runner';
import type { SocketQuery } from '../unix-socket';
import { pollDelayMs } from '../poll';
import { SERVER_STATE_FILE } from '../../renderers/haproxy/runtime-files';
import { parseShowInfo, parseShowStat } from './haproxy-csv';
import { ensureServerState, filterServerState, writeServerStateOrEmpty } from './haproxy-server-state';
import { createMemberApplier } from './haproxy-members';
import { planMemberChanges } from './haproxy-runtime';
import type { Logger } from '../log';
import type { ServePlan } from '../../renderers/types';
import type { CheckResult, Engine, EngineStatus, EngineVersion, ReloadPrep, StepOptions } from './types';

export { parseShowInfo, parseShowStat } from './haproxy-csv';

export interface HaproxyOptions {
  cmd: string;
  /** runtime directory: master.sock, haproxy.sock (the renderer's stats socket), haproxy.pid */
  runDir: string;
  runner: ProcessRunner;
  query: SocketQuery;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** how long a reload or start may take before it counts as failed */
  readyTimeoutMs?: number;
  /** how long a member removed at run time may keep its connections (the rendered hard-stop-after) */
  drainMs?: number;
  log?: Logger;
}

interface ProcLine {
  pid: number;
  type: string;
  reloads: number;
  failed: number;
}

/** Parses the master CLI's `show proc` (2.6: "PID type reloads [failed: N] uptime version"). */
export function parseShowProc(out: string): ProcLine[] {
  const rows: ProcLine[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\d+)\s+(master|worker)\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?/.exec(line.trim());
    if (m) rows.push({ pid: Number(m[1]), type: m[2], reloads: Number(m[3]), failed: Number(m[4] ?? 0) });
  }
  return rows;
}

/** Parses the first line of `haproxy -v`. */
export function parseHaproxyVersion(out: string): EngineVersion {
  const full = out.split('\n')[0].trim();
  const m = /version\s+(\d+\.\d+(?:\.\d+)?)/i.exec(full);
  if (!m) throw new EngineFailed(`cannot read the haproxy version from "${full}"`);
  return { version: m[1], full };
}

/** Creates the haproxy adapter. */
export function createHaproxyEngine(o: HaproxyOptions): Engine {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? (() => Date.now());
  const readyTimeoutMs = o.readyTimeoutMs ?? 15000;
  const masterSocket = path.join(o.runDir, 'master.sock');
  const statsSocket = path.join(o.runDir, 'haproxy.sock');
  const pidFile = path.join(o.runDir, 'haproxy.pid');
  const stateFile = path.join(o.runDir, SERVER_STATE_FILE);
  const members = createMemberApplier({ query: o.query, statsSocket, drainMs: o.drainMs ?? 600_000, log: o.log, now });

  const masterPid = (): number | null => {
    let text: string;
    try {
      text = fs.readFileSync(pidFile, 'utf8').trim();
    } catch {
      return null;
    }
    const pid = Number(text.split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 1 || !o.runner.isAlive(pid)) return null;
    // a reused pid is not ours: our master carries our master socket on its command line
    const argv = o.runner.cmdline(pid);
    return argv && argv.some((a) => a.startsWith(masterSocket)) ? pid : null;
  };

  /**
   * Live processes carrying our master socket on their command line that the
   * pid file does not name: a master whose pid file another one overwrote
   * (one that was still re-executing when it was given up on), or its workers.
   */
  const strays = (except: number | null): number[] =>
    (o.runner.listPids?.() ?? []).filter((pid) => pid !== except && o.runner.isAlive(pid) && (o.runner.cmdline(pid) ?? []).some((a) => a.startsWith(masterSocket)));
  const killStrays = (except: number | null) => {
    for (const pid of strays(except)) o.runner.kill(pid, 'SIGKILL');
  };

  const status = async (): Promise<EngineStatus> => {
    const base: EngineStatus = { running: false, masterPid: null, workerPid: null, oldWorkerPids: [], reloads: 0, failedReloads: 0, statsSocket, masterSocket };
    const pid = masterPid();
    if (pid === null) return base;
    const rows = parseShowProc(await o.query(masterSocket, 'show proc', 2000));
    const master = rows.find((r) => r.type === 'master');
    const workers = rows.filter((r) => r.type === 'worker');
    const current = workers.find((w) => w.reloads === 0);
    return {
      ...base,
      running: true,
      masterPid: pid,
      workerPid: current?.pid ?? null,
      oldWorkerPids: workers.filter((w) => w !== current).map((w) => w.pid),
      reloads: master?.reloads ?? 0,
      failedReloads: master?.failed ?? 0,
    };
  };

  /** The server-state file for a reload to `next`: the serving worker's member health (none when it does not answer). */
  const prepareReload = async (next: ServePlan): Promise<ReloadPrep> => {
    const dump = await o.query(statsSocket, 'show servers state', 5000).catch(() => '');
    try {
      return { engine: 'haproxy', next, ready: filterServerState(dump, next) };
    } catch {
      // never a reason to fail a reload: the members' health starts from their checks
      return { engine: 'haproxy', next, ready: filterServerState('', next) };
    }
  };

  /** Polls the master until `done` says yes; the master socket is gone while it re-execs and parses the configuration. */
  const waitFor = async (step: 'start' | 'reload', done: (s: EngineStatus) => boolean, opts?: StepOptions): Promise<EngineStatus> => {
    const limit = opts?.timeoutMs ?? readyTimeoutMs;
    const began = now();
    const deadline = began + limit;
    let last: unknown;
    for (;;) {
      try {
        const s = await status();
        if (done(s)) return s;
        if (!s.running) last = new Error('the haproxy master is not running');
      } catch (e) {
        last = e;
      }
      if (now() > deadline) throw new EngineTimeout(step, limit, `haproxy: the ${step} did not finish within ${limit} ms`, undefined, { cause: last });
      await sleep(pollDelayMs(now() - began));
    }
  };

  return {
    name: 'haproxy',
    // our master carries our master socket on its command line (see masterPid)
    probe: { pidFile, cmdlineMarker: masterSocket },

    async version() {
      const r = await o.runner.run(o.cmd, ['-v'], { timeoutMs: 10000 });
      if (r.code !== 0) throw new EngineFailed(`${o.cmd} -v exited with ${r.code}: ${r.stderr.trim()}`);
      return parseHaproxyVersion(r.stdout);
    },

    async check(configDir, mainFile, opts): Promise<CheckResult> {
      fs.mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
      ensureServerState(stateFile);
      const limit = opts?.timeoutMs ?? 60000;
      const r = await o.runner.run(o.cmd, ['-c', '-C', configDir, '-f', path.join(configDir, mainFile)], { timeoutMs: limit });
      // killed for time, haproxy refused nothing: its silence is not a verdict on the file
      if (r.timedOut) throw new EngineTimeout('check', limit, `haproxy -c did not finish within ${limit} ms`);
      const output = `${r.stderr}\n${r.stdout}`.trim();
      return { ok: r.code === 0, output };
    },

    async start(configDir, mainFile, opts) {
      fs.mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
      members.forget();
      // never two masters on one master socket: one the pid file lost track of would serve beside the new one
      killStrays(null);
      // no worker to take states from: whatever an earlier process left is stale
      writeServerStateOrEmpty(stateFile, filterServerState('', { reported: [], engine: [], lvs: [], pools: [], otherBinds: [] }));
      const args = ['-W', '-D', '-S', `${masterSocket},mode,600`, '-p', pidFile, '-C', configDir, '-f', path.join(configDir, mainFile)];
      const r = await o.runner.run(o.cmd, args, { detached: true, timeoutMs: opts?.timeoutMs ?? 60000 });
      if (r.timedOut) throw new EngineTimeout('start', opts?.timeoutMs ?? 60000, 'haproxy did not finish starting (parsing its configuration) in time');
      if (r.code !== 0) throw new EngineFailed(`haproxy did not start (exit ${r.code}): ${`${r.stderr}\n${r.stdout}`.trim()}`);
      await waitFor('start', (s) => s.running && s.workerPid !== null, opts);
    },

    prepareReload,

    planMembers: planMemberChanges,
    applyMembers: members.apply,

    async reload(next, opts) {
      const before = opts?.status ?? (await status());
      if (!before.running) throw new EngineFailed('haproxy is not running; nothing to reload');
      // the new worker has no runtime-only servers: removed members still draining finish in the old one
      members.forget();
      if (next) {
        // member health as the serving worker knows it, for the members the new configuration keeps
        const prep = opts?.prep ? await opts.prep.catch(() => null) : null;
        const ready = prep?.engine === 'haproxy' && prep.next === next && typeof prep.ready === 'string' ? prep.ready : ((await prepareReload(next)).ready as string);
        writeServerStateOrEmpty(stateFile, ready);
      }
      await opts?.ready?.catch(() => undefined);
      try {
        await o.query(masterSocket, 'reload', 5000);
      } catch {
        // the master re-execs at once and resets the CLI connection; the reload counter tells
      }
      const after = await waitFor('reload', (s) => s.running && s.reloads > before.reloads && (s.failedReloads > 0 || s.workerPid !== null), opts);
      if (after.failedReloads > 0) {
        throw new EngineFailed('haproxy refused the new configuration at reload (the previous workers keep serving); a listener address may be in use');
      }
    },

    async stop(graceMs = 5000) {
      members.forget();
      const pid = masterPid();
      if (pid === null) return killStrays(null);
      // SIGUSR1: the master soft-stops its workers and exits after them
      o.runner.kill(pid, 'SIGUSR1');
      const deadline = now() + graceMs;
      while (o.runner.isAlive(pid) && now() < deadline) await sleep(25);
      if (o.runner.isAlive(pid)) o.runner.kill(pid, 'SIGTERM');
      const hard = now() + 5000;
      while (o.runner.isAlive(pid) && now() < hard) await sleep(25);
      if (o.runner.isAlive(pid)) o.runner.kill(pid, 'SIGKILL');
      fs.rmSync(pidFile, { force: true });
      killStrays(null);
    },

    status,

    async info() {
      return parseShowInfo(await o.query(statsSocket, 'show info'));
    },

    async stats(opts) {
      // the frontends alone (type 1): haproxy writes and the agent parses far less with tens of thousands of members
      // the columns asked for alone: the daemon runs interpreted, and splitting all ~100 cells of 100 frontends
      // took ~3 ms of each apply's verification
      return parseShowStat(await o.query(statsSocket, opts?.frontendsOnly ? 'show stat -1 1 -1' : 'show stat'), { columns: opts?.columns });
    },
  };
}
