/** The validation workers a process runs, from /proc (Linux). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './root';

/** What the daemon forks (dist/agent/worker/main.js). */
export const WORKER_MAIN = path.join(ROOT, 'dist/agent/worker/main.js');

/** The live children of `pid` that run `file` (one that has exited, a zombie or reaped, is not counted). */
export function workersOf(pid: number, file: string = WORKER_MAIN): number[] {
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((c) => {
    try {
      const state = fs.readFileSync(`/proc/${c}/stat`, 'utf8').split(') ')[1]?.[0];
      return state !== 'Z' && fs.readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').includes(file);
    } catch {
      return false;
    }
  });
}
