/**
 * The real haproxy behind a wrapper the tests steer with one-shot marker
 * files in `dir`: `slow-reload` / `slow-check` hold seconds to sleep before
 * the next master re-exec (a reload: haproxy re-execs its own argv[0], and
 * `exec -a` keeps the wrapper there) or the next `haproxy -c`; `pause-reload` /
 * `pause-check` make it write `paused-<what>` and wait (at most 60 s) for
 * `go-<what>`. HAPROXY_MWORKER_REEXEC is set by the master when it re-execs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes the wrapper into `dir` and returns its path (for `haproxy_cmd`). */
export function writeHaproxyWrapper(dir: string): string {
  const file = path.join(dir, 'haproxy-wrapper');
  fs.writeFileSync(file, `#!/bin/bash
D=${JSON.stringify(dir)}
step() {
  if [ -e "$D/slow-$1" ]; then s=$(cat "$D/slow-$1"); rm -f "$D/slow-$1"; sleep "$s"; fi
  if [ -e "$D/pause-$1" ]; then
    rm -f "$D/pause-$1"; touch "$D/paused-$1"
    for _ in $(seq 1200); do [ -e "$D/go-$1" ] && break; sleep 0.05; done
    rm -f "$D/go-$1" "$D/paused-$1"
  fi
}
if [ -n "\${HAPROXY_MWORKER_REEXEC:-}" ]; then step reload; fi
if [ "\${1:-}" = -c ]; then step check; fi
exec -a "$0" /usr/sbin/haproxy "$@"
`, { mode: 0o755 });
  return file;
}

/** Makes the next reload or check sleep `sec` seconds. */
export function slowNext(dir: string, what: 'reload' | 'check', sec: number): void {
  fs.writeFileSync(path.join(dir, `slow-${what}`), String(sec));
}

/** Makes the next reload or check wait for `release`; `reached()` tells when it waits. */
export function pauseNext(dir: string, what: 'reload' | 'check'): { reached(): boolean; release(): void } {
  fs.writeFileSync(path.join(dir, `pause-${what}`), '');
  return {
    reached: () => fs.existsSync(path.join(dir, `paused-${what}`)),
    release: () => fs.writeFileSync(path.join(dir, `go-${what}`), ''),
  };
}

/**
 * SIGKILLs every process whose command line names `dir` (the test's own temp
 * dir): a haproxy the wrapper held back while the agent gave up on it, or its
 * workers, must not outlive a failed test. Nothing outside `dir` is touched.
 */
export function killProcessesUnder(dir: string): number[] {
  const killed: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.split('\0').some((a) => a.includes(dir))) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch { /* gone */ }
  }
  return killed;
}
