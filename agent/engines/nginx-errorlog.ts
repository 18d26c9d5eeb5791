/**
 * nginx's error log as the adapter reads it: the `[emerg]` lines nginx wrote
 * since a reload's signal are why the reload failed, in nginx's own words.
 */
import * as fs from 'node:fs';

/** Lines nginx logged at `[emerg]` since byte `from` of its error log (a configuration it could not load). */
export function emergSince(file: string, from: number): string[] {
  let text = '';
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, Math.min(size - from, 1 << 20)));
      fs.readSync(fd, buf, 0, buf.length, from);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.includes('[emerg]')).map((l) => l.replace(/^\S+ \S+ \[emerg\] \d+#\d+: /, ''));
}

/** The error log's size now: where a reload's lines will start. */
export const logSize = (file: string): number => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};

/** Largest error log kept: nginx appends (O_APPEND), so emptying it in place is safe while it runs. */
export const MAX_ERROR_LOG_BYTES = 16 << 20;

/** Empties the error log when it grew past MAX_ERROR_LOG_BYTES (member errors are logged per request). */
export function trimErrorLog(file: string): void {
  if (logSize(file) > MAX_ERROR_LOG_BYTES) fs.truncateSync(file, 0);
}
