/**
 * Writes that survive a crash or a power cut: data fsync'd before it is named,
 * renames made durable by an fsync of the directory. Shared by the state store,
 * the staged configs and the heartbeat counters.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Creates or truncates `file`, writes `content` and fsyncs it. */
export function writeFileSynced(file: string, content: string, mode = 0o600): void {
  const fd = fs.openSync(file, 'w', mode);
  try {
    // one write may be short on a full disk without an error; the next one then throws ENOSPC
    const buf = Buffer.from(content, 'utf8');
    for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Fsyncs a directory, so that renames and new entries in it are on disk. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces `file` atomically: a synced temp file in the same directory renamed
 * over it, then the directory synced. A crash leaves the old or the new file,
 * never half of one. `beforeRename` runs between the two (e.g. to keep the old one).
 */
export function writeFileAtomic(file: string, content: string, mode = 0o600, beforeRename?: () => void): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  writeFileSynced(tmp, content, mode);
  beforeRename?.();
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/**
 * Replaces `file` atomically for the processes that read it (a temp file
 * renamed over it: a reader sees the old or the new content), without
 * syncing: for what describes running processes, which a reboot ends anyway
 * (what the engine was verified to load, counters taken before a reload), or
 * whose loss costs only time (the validation worker's code cache).
 * An agent that crashes reads it back from the page cache; a power loss may
 * lose the last write, never leave half of one in place of a whole file
 * that was synced before. Off the fsyncs, it costs an apply nothing on slow
 * storage (a network block device syncs in milliseconds).
 */
export function replaceFile(file: string, content: string | Uint8Array, mode = 0o600): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    fs.writeFileSync(tmp, content, { mode });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
