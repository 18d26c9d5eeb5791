import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { listProcesses } from './nginx-procs';

describe('listProcesses', () => {
  it('lists the machine, or with a parent its children (from the kernel list of them) with their parent and title', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      const all = listProcesses();
      const mine = listProcesses(process.pid);
      expect(all.find((p) => p.pid === child.pid)).toEqual({ pid: child.pid, ppid: process.pid, title: 'sleep 30' });
      expect(mine.find((p) => p.pid === child.pid)).toEqual({ pid: child.pid, ppid: process.pid, title: 'sleep 30' });
      // the children alone, where the kernel lists them; the whole machine otherwise
      if (fs.existsSync(`/proc/${process.pid}/task/${process.pid}/children`)) expect(mine.every((p) => p.ppid === process.pid)).toBe(true);
      else expect(mine.length).toBe(all.length);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('falls back to the whole machine for a parent that is gone', () => {
    const gone = 2 ** 22 + 12345;
    expect(listProcesses(gone).length).toBeGreaterThan(1);
  });
});
