/**
 * Room in the state directory. An apply needs space for the candidate's
 * files and for the new state record (the old one is kept as
 * `state.prev.json` by renaming, which needs none); it checks before it
 * writes, and a write that still hits a full disk is reported as such.
 */
import * as fs from 'node:fs';
import { StorageFull } from '../errors';

/** Margin kept free beyond what an apply writes: the engine's pid and server-state files, the heartbeat counters, directory entries. */
export const SPACE_MARGIN_BYTES = 64 * 1024;

/** Bytes available to this (root) process under `dir`, or null when statfs fails. */
export function freeBytes(dir: string): number | null {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** True for the errors of a full file system (ENOSPC) or quota (EDQUOT). */
export function isNoSpace(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Throws StorageFull unless `bytes` plus the margin are free under `dir`; `what` names the writes for the message. */
export function ensureSpace(dir: string, bytes: number, what: string): void {
  const free = freeBytes(dir);
  if (free !== null && free < bytes + SPACE_MARGIN_BYTES) throw new StorageFull(dir, what, bytes + SPACE_MARGIN_BYTES, free);
}

/** Runs a write; a full disk becomes StorageFull naming `what`, any other error passes through. */
export function writing<T>(dir: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isNoSpace(e)) throw new StorageFull(dir, what, null, freeBytes(dir), { cause: e });
    throw e;
  }
}
