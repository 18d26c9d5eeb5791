/**
 * A ProcessRunner that plays keepalived for unit tests of the agent's
 * keepalived lifecycle: `--config-test`, a daemonized start that writes the
 * pid files of the parent and of the children its flags ask for, SIGHUP
 * (re-reads the file, removes the reload file), SIGTERM, and `crash()`, which
 * kills it without any cleanup. No process is started.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessRunner, RunResult } from '../../agent/process-runner';

interface FakeProc {
  pid: number;
  argv: string[];
  alive: boolean;
}

export interface FakeKeepalived {
  runner: ProcessRunner;
  /** every command run, as `cmd arg...` */
  runs: string[];
  /** SIGHUPs received */
  reloads: number;
  starts: number;
  /** the configuration each start or reload read */
  loaded: string[];
  /** --config-test fails while this is set (its output) */
  refuse: string | null;
  /** `modprobe ip_vs` result */
  modprobeOk: boolean;
  /** the running parent, if any */
  parent(): FakeProc | null;
  /** kills keepalived and its children without cleanup (a crash or a SIGKILL) */
  crash(): void;
  /** a live process that is not keepalived (a reused pid); returns its pid */
  foreign(argv: string[]): number;
}

const ok = (stdout = ''): RunResult => ({ code: 0, signal: null, stdout, stderr: '' });

/** A fake keepalived; `nextPid` numbers the processes it "starts". */
export function fakeKeepalived(nextPid = 4000): FakeKeepalived {
  const procs = new Map<number, FakeProc>();
  let parent: FakeProc | null = null;
  const arg = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];
  const f: FakeKeepalived = {
    runs: [], reloads: 0, starts: 0, loaded: [], refuse: null, modprobeOk: false,
    parent: () => (parent?.alive ? parent : null),
    crash() {
      for (const p of procs.values()) p.alive = false;
    },
    foreign(argv) {
      const p = { pid: nextPid++, argv, alive: true };
      procs.set(p.pid, p);
      return p.pid;
    },
    runner: {
      async run(cmd, args) {
        f.runs.push([cmd, ...args].join(' '));
        if (cmd === 'modprobe') return f.modprobeOk ? ok() : { code: 1, signal: null, stdout: '', stderr: 'modprobe: FATAL: Module ip_vs not found\n' };
        if (args[0] === '--config-test') return f.refuse === null ? ok() : { code: 5, signal: null, stdout: '', stderr: f.refuse };
        const argv = [cmd, ...args];
        const spawn = (file: string) => {
          const p = { pid: nextPid++, argv, alive: true };
          procs.set(p.pid, p);
          fs.writeFileSync(file, `${p.pid}\n`);
          return p;
        };
        parent = spawn(arg(argv, '-p'));
        if (!args.includes('-C')) spawn(arg(argv, '-r'));
        if (!args.includes('-P')) spawn(arg(argv, '-c'));
        f.starts++;
        f.loaded.push(fs.readFileSync(arg(argv, '-f'), 'utf8'));
        return ok();
      },
      isAlive: (pid) => procs.get(pid)?.alive ?? false,
      cmdline: (pid) => (procs.get(pid)?.alive ? procs.get(pid)!.argv : null),
      kill(pid, signal) {
        const p = procs.get(pid);
        if (!p?.alive) return false;
        const pidFile = arg(p.argv, '-p');
        if (signal === 'SIGHUP') {
          f.reloads++;
          f.loaded.push(fs.readFileSync(arg(p.argv, '-f'), 'utf8'));
          fs.rmSync(path.join(path.dirname(pidFile), 'reload'), { force: true });
        } else {
          for (const q of procs.values()) if (q.argv === p.argv) q.alive = false;
          // keepalived removes its pid files on a clean stop
          if (signal === 'SIGTERM') for (const flag of ['-p', '-r', '-c']) fs.rmSync(arg(p.argv, flag), { force: true });
        }
        return true;
      },
    },
  };
  return f;
}
