/**
 * The keepalived adapter: the only code that runs keepalived. keepalived
 * daemonizes (so it outlives the agent, like haproxy) with its own pid files
 * under the runtime directory; a reload is SIGHUP, confirmed when keepalived
 * removes the `reload_file` the configuration names. Runner, clock and sleep
 * are injected.
 */
import * as fs from 'node:fs';
import type { KeepalivedRuntimePaths } from '../../renderers/keepalived/runtime-paths';
import { EngineFailed } from '../errors';
import type { CheckResult } from '../engines/types';
import type { ProcessRunner } from '../process-runner';
import { pollDelayMs } from '../poll';

/** Which of keepalived's children run: VRRP, the LVS checker, or both. */
export interface KeepalivedMode {
  vrrp: boolean;
  lvs: boolean;
}

export interface KeepalivedProcessOptions {
  cmd: string;
  paths: KeepalivedRuntimePaths;
  runner: ProcessRunner;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** how long a start, reload or stop may take */
  timeoutMs?: number;
}

export interface KeepalivedProcess {
  /** `keepalived --config-test` of one file. */
  check(confFile: string): Promise<CheckResult>;
  /** Starts keepalived daemonized on an absolute config path; resolves with the parent's pid once the children run. */
  start(confFile: string, mode: KeepalivedMode): Promise<number>;
  /** Re-reads the configuration (SIGHUP); resolves once keepalived has read it. */
  reload(): Promise<void>;
  /** SIGTERM (keepalived drops its VIPs and tells the peer), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The parent's pid while it runs and is ours, else null. */
  pid(): number | null;
  /** The mode the running keepalived was started in (from its flags), or null. */
  mode(): KeepalivedMode | null;
}

/** The command-line flags of a mode: `-P` VRRP only, `-C` checker only. */
export function modeFlags(mode: KeepalivedMode): string[] {
  if (mode.vrrp && !mode.lvs) return ['-P'];
  if (mode.lvs && !mode.vrrp) return ['-C'];
  return [];
}

/** Creates the adapter. */
export function createKeepalivedProcess(o: KeepalivedProcessOptions): KeepalivedProcess {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? (() => Date.now());
  const timeoutMs = o.timeoutMs ?? 10000;
  const p = o.paths;

  /** A live pid from a pid file whose command line names our parent's pid file (a reused pid is not ours). */
  const livePid = (file: string): number | null => {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(file, 'utf8').trim().split('\n')[0]);
    } catch {
      return null;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !o.runner.isAlive(pid)) return null;
    return o.runner.cmdline(pid)?.includes(p.pidFile) ? pid : null;
  };

  const waitUntil = async (what: string, done: () => boolean): Promise<void> => {
    const began = now();
    const deadline = began + timeoutMs;
    while (!done()) {
      if (now() > deadline) throw new EngineFailed(`keepalived: ${what} did not happen within ${timeoutMs} ms`);
      await sleep(pollDelayMs(now() - began));
    }
  };

  return {
    async check(confFile) {
      const r = await o.runner.run(o.cmd, ['--config-test', '-f', confFile], { timeoutMs: 60000 });
      return { ok: r.code === 0, output: `${r.stderr}\n${r.stdout}`.trim() };
    },

    async start(confFile, mode) {
      fs.mkdirSync(p.dir, { recursive: true, mode: 0o700 });
      const args = ['-f', confFile, '-p', p.pidFile, '-r', p.vrrpPidFile, '-c', p.checkerPidFile, ...modeFlags(mode)];
      const r = await o.runner.run(o.cmd, args, { detached: true, timeoutMs: 30000 });
      if (r.code !== 0) throw new EngineFailed(`keepalived did not start (exit ${r.code}): ${`${r.stderr}\n${r.stdout}`.trim()}`);
      // the parent writes its pid file at once, the children theirs once they run; a child that
      // fails at once (IPVS missing for the checker) takes the parent with it
      await waitUntil('start', () => livePid(p.pidFile) !== null && (!mode.vrrp || livePid(p.vrrpPidFile) !== null) && (!mode.lvs || livePid(p.checkerPidFile) !== null));
      return livePid(p.pidFile)!;
    },

    async reload() {
      const pid = livePid(p.pidFile);
      if (pid === null) throw new EngineFailed('keepalived is not running; nothing to reload');
      // non-empty: keepalived truncates it when it starts reading and removes it when done
      fs.writeFileSync(p.reloadFile, 'reload\n');
      o.runner.kill(pid, 'SIGHUP');
      await waitUntil('the reload', () => !fs.existsSync(p.reloadFile) || livePid(p.pidFile) === null);
      if (livePid(p.pidFile) === null) throw new EngineFailed('keepalived exited while reloading');
    },

    async stop(graceMs = 5000) {
      const pid = livePid(p.pidFile);
      if (pid !== null) {
        o.runner.kill(pid, 'SIGTERM');
        const deadline = now() + graceMs;
        while (o.runner.isAlive(pid) && now() < deadline) await sleep(20);
        if (o.runner.isAlive(pid)) o.runner.kill(pid, 'SIGKILL');
        await waitUntil('the stop', () => !o.runner.isAlive(pid));
      }
      for (const f of [p.pidFile, p.vrrpPidFile, p.checkerPidFile, p.reloadFile]) fs.rmSync(f, { force: true });
    },

    pid: () => livePid(p.pidFile),

    mode() {
      const pid = livePid(p.pidFile);
      const argv = pid === null ? null : o.runner.cmdline(pid);
      return argv ? { vrrp: !argv.includes('-C'), lvs: !argv.includes('-P') } : null;
    },
  };
}
