/**
 * The two small shell scripts keepalived runs, written by the agent into the
 * runtime directory before keepalived is checked or started: the engine check
 * of `vrrp_script` and the reader of the VRRP notify FIFO. Plain `sh`, so
 * they cost one fork per run and need nothing but coreutils on the VM.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeepalivedRuntimePaths } from '../../renderers/keepalived/runtime-paths';
import type { EngineProbe } from '../engines/types';
import { writeFileAtomic } from '../durable-fs';

/** A shell word that is exactly `s` (single quotes; a quote inside becomes '\''). */
export function shQuote(s: string): string {
  if (s.includes('\0')) throw new Error('a NUL byte cannot be passed to a shell');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The engine check: exit 0 while the pid file names a live process that is
 * the engine. A zombie fails (kill -0 succeeds on one, and a daemon killed
 * where PID 1 does not reap stays one) and so does a reused pid (the
 * engine's command line carries the marker). haproxy's master exits when its
 * worker fails and nginx's master respawns its workers, so the master's life
 * is the engine's; Octavia asks haproxy's stats socket instead, which plain
 * sh cannot do without socat.
 */
export function checkScriptText(engineName: string, probe: EngineProbe): string {
  return `#!/bin/sh
# Written by amphora-agent: keepalived's engine check (vrrp_script), exit 0 while ${engineName.replace(/[^a-z0-9]/gi, '')} runs.
pid=$(head -n 1 -- ${shQuote(probe.pidFile)} 2>/dev/null) || exit 1
case $pid in ''|*[!0-9]*) exit 1 ;; esac
stat=$(cat "/proc/$pid/stat" 2>/dev/null) || exit 1
case \${stat##*') '} in [ZXx]*) exit 1 ;; esac
tr '\\000' '\\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -e ${shQuote(probe.cmdlineMarker)} || exit 1
exit 0
`;
}

/**
 * The FIFO reader (`vrrp_notify_fifo_script`; keepalived passes the FIFO as
 * the last argument): keepalived writes `INSTANCE "name" STATE PRIORITY`
 * lines in order, and the script keeps the last state in the state file,
 * rewritten (temp + rename) only when the state changes, so the file's mtime
 * is the time of the last transition, across reloads that restart the script.
 */
export function notifyScriptText(stateFile: string): string {
  return `#!/bin/sh
# Written by amphora-agent: keeps keepalived's last VRRP state in ${path.basename(stateFile)}.
state=${shQuote(stateFile)}
for fifo; do :; done
while read -r kind name st prio; do
  [ "$kind" = INSTANCE ] || continue
  cur=
  [ -r "$state" ] && read -r cur rest < "$state"
  [ "$cur" = "$st" ] && continue
  printf '%s %s\\n' "$st" "$prio" > "$state.tmp" && mv -f "$state.tmp" "$state"
done < "$fifo"
`;
}

/** Writes both scripts (0700, root's; keepalived's script security refuses anything looser), rewriting only what changed. */
export function writeRuntimeScripts(paths: KeepalivedRuntimePaths, engineName: string, probe: EngineProbe): void {
  fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(paths.dir, 0o700);
  for (const [file, text] of [
    [paths.checkScript, checkScriptText(engineName, probe)],
    [paths.notifyScript, notifyScriptText(paths.stateFile)],
  ] as const) {
    let old: string | null = null;
    try {
      old = fs.readFileSync(file, 'utf8');
    } catch {
      // not written yet
    }
    // renamed into place: keepalived never runs half a script
    if (old !== text) writeFileAtomic(file, text, 0o700);
  }
}
