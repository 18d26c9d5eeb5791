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

/** Every process of the machine with its parent and title (an injectable seam for tests). */
export type ProcessLister = () => ProcInfo[];

/** The real lister over /proc. */
export const listProcesses: ProcessLister = () => {
  const out: ProcInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
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
