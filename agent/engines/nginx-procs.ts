/**
 * nginx's processes from /proc: its master names itself "nginx: master
 * process ARGS" and its workers "nginx: worker process" (old ones, draining
 * after a reload, "nginx: worker process is shutting down"), so the process
 * titles tell current workers from old ones.
 */
import * as fs from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** the process title (argv joined), as nginx rewrote it */
  title: string;
}

/**
 * The processes of the machine with their parent and title (an injectable
 * seam for tests); given `parent`, at least every child of it (the callers
 * filter by parent).
 */
export type ProcessLister = (parent?: number) => ProcInfo[];

/**
 * The children of `pid` as the kernel lists them (`/proc/PID/task/PID/children`:
 * nginx's master is single-threaded), or null where the kernel has no such
 * file (CONFIG_PROC_CHILDREN) or the process is gone.
 */
function childPids(pid: number): string[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter((x) => x !== '');
  } catch {
    return null;
  }
}

/**
 * The real lister over /proc. With `parent`, only its children are read: a
 * reload's polls read nginx's processes, not the machine's (~1 ms for 70
 * processes, interpreted, at every poll).
 */
export const listProcesses: ProcessLister = (parent) => {
  const out: ProcInfo[] = [];
  const names = (parent !== undefined ? childPids(parent) : null) ?? fs.readdirSync('/proc');
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // a zombie serves nothing
      if (rest[0] === 'Z') continue;
      const title = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      out.push({ pid: Number(name), ppid: Number(rest[1]), title });
    } catch {
      // gone while we looked
    }
  }
  return out;
};

/** The workers of master `pid`: those of the current configuration and those still draining. */
export function nginxWorkers(master: number, procs: readonly ProcInfo[]): { current: number[]; old: number[] } {
  const children = procs.filter((p) => p.ppid === master);
  return {
    current: children.filter((p) => p.title.trim() === 'nginx: worker process').map((p) => p.pid).sort((a, b) => a - b),
    old: children.filter((p) => p.title.includes('worker process is shutting down')).map((p) => p.pid).sort((a, b) => a - b),
  };
}
