/**
 * The one seam through which the agent runs programs and signals processes.
 * Engines take it as an argument so unit tests hand in a fake.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** killed because it ran past `timeoutMs` */
  timedOut?: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  /** start in a new session so the program outlives the agent (a daemon's launcher) */
  detached?: boolean;
}

export interface ProcessRunner {
  /** Runs a program to its exit and collects its output (never throws for a non-zero exit). */
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** True when a process with this pid exists. */
  isAlive(pid: number): boolean;
  /** Sends a signal; false when the process is gone. */
  kill(pid: number, signal: NodeJS.Signals): boolean;
  /** The process's command line, or null when it is gone. */
  cmdline(pid: number): string[] | null;
  /** Every pid on the system (from /proc); absent in fakes that need none. */
  listPids?(): number[];
}

const MAX_OUTPUT = 1 << 20;

/**
 * The daemon's own malloc tuning (bin/amphora-agent sets it for node's small
 * idle footprint), which the programs it runs must not inherit: under it
 * `nginx -t` of a 100-listener configuration took 246 ms instead of 73, and
 * `haproxy -c` of 1,000 listeners 357 ms instead of 296 (the engines allocate
 * many blocks over its 128 KiB mmap threshold), and a running engine would
 * keep it for every reload.
 */
export const DAEMON_ONLY_ENV = ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'] as const;

/** The environment for a program the agent runs: the daemon's, less DAEMON_ONLY_ENV. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of DAEMON_ONLY_ENV) delete out[k];
  return out;
}

/** The real runner over child_process and /proc. */
export function systemRunner(): ProcessRunner {
  return {
    run(cmd, args, opts = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false, env: childEnv() });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => { if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8'); });
        child.stderr.on('data', (d: Buffer) => { if (stderr.length < MAX_OUTPUT) stderr += d.toString('utf8'); });
        let timedOut = false;
        const timer = opts.timeoutMs ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs) : undefined;
        child.on('error', (e) => {
          if (timer) clearTimeout(timer);
          reject(e);
        });
        // 'close' waits for the pipes; a daemon's launcher closes them when it exits
        child.on('close', (code, signal) => {
          if (timer) clearTimeout(timer);
          resolve({ code, signal, stdout, stderr, timedOut });
        });
        if (opts.detached) child.unref();
      });
    },
    isAlive(pid) {
      try {
        process.kill(pid, 0);
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM';
      }
      // a daemon's zombie lingers when PID 1 does not reap (containers); it serves nothing
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
      } catch {
        return false;
      }
    },
    kill(pid, signal) {
      try {
        process.kill(pid, signal);
        return true;
      } catch {
        return false;
      }
    },
    cmdline(pid) {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      } catch {
        return null;
      }
    },
    listPids() {
      return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
    },
  };
}

/** RLIMIT_NOFILE of this process (inherited by the engines it starts), from /proc. */
export function openFileLimit(readFile: (f: string) => string = (f) => fs.readFileSync(f, 'utf8')): number {
  try {
    const line = readFile('/proc/self/limits').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : 1024;
  } catch {
    return 1024;
  }
}
