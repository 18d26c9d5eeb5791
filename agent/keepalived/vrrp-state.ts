/**
 * keepalived's VRRP state as the notify script keeps it (runtime-scripts.ts):
 * one line `STATE PRIORITY` in the state file, whose mtime is the time of
 * the transition. keepalived itself writes the events, in order, to the FIFO
 * the script reads, so the file follows keepalived's own transitions.
 */
import * as fs from 'node:fs';

export type VrrpStateName = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

export interface VrrpState {
  state: VrrpStateName;
  priority: number | null;
  /** ISO time of the transition into `state` */
  since: string;
}

const STATES = new Set<string>(['MASTER', 'BACKUP', 'FAULT', 'STOP', 'DELETED']);

/** Parses the state file's text; null when it is not one known state. */
export function parseVrrpState(text: string, mtime: Date): VrrpState | null {
  const [state, prio] = text.trim().split(/\s+/);
  if (!state || !STATES.has(state)) return null;
  const priority = prio !== undefined && /^\d+$/.test(prio) ? Number(prio) : null;
  return { state: state as VrrpStateName, priority, since: mtime.toISOString() };
}

/** The last VRRP state, or null before keepalived has reported one. */
export function readVrrpState(file: string): VrrpState | null {
  try {
    const st = fs.statSync(file);
    return parseVrrpState(fs.readFileSync(file, 'utf8'), st.mtime);
  } catch {
    return null;
  }
}
