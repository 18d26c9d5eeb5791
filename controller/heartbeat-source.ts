/**
 * Where `migrate` reads heartbeats from: a receiver of its own, or the state
 * file a running `watch --state-file` keeps (so the command needs no port
 * when the controller's receiver already holds it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { heartbeatMessageSchema, type HeartbeatMessage } from '../schemas/heartbeat';
import type { HeartbeatReceiver } from './receiver';

/** The latest heartbeat heard from one amphora; `heardAt` in ms since the epoch. */
export interface Heard {
  id: string;
  seq: number;
  heardAt: number;
  message: HeartbeatMessage;
}

export interface HeartbeatSource {
  /** The latest heartbeat of amphora `id`, or undefined; throws when the source itself is unusable (a stale state file). */
  latest(id: string): Heard | undefined;
}

/** A source over a receiver this process runs. */
export function receiverSource(r: HeartbeatReceiver): HeartbeatSource {
  return { latest: (id) => r.amphora(id) };
}

const stateSchema = z.object({
  format: z.literal(1),
  written_at: z.string(),
  amphorae: z.array(z.object({ id: z.string(), seq: z.number(), heard_at: z.string(), from: z.string(), message: heartbeatMessageSchema })),
});
export type WatchState = z.infer<typeof stateSchema>;

/** The receiver's state as `watch --state-file` writes it. */
export function watchState(r: HeartbeatReceiver, now: number): WatchState {
  return {
    format: 1,
    written_at: new Date(now).toISOString(),
    amphorae: r.amphorae().map((a) => ({ id: a.id, seq: a.seq, heard_at: new Date(a.heardAt).toISOString(), from: a.from, message: a.message })),
  };
}

/** Writes the state file atomically (temp file in the same directory, then rename). */
export function writeWatchState(file: string, state: WatchState): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

/** A source over a running `watch`'s state file; a file not rewritten for `maxAgeMs` means no watch runs. */
export function watchStateSource(file: string, maxAgeMs: number, now: () => number = Date.now): HeartbeatSource {
  return {
    latest(id) {
      let state: WatchState;
      try {
        state = stateSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
      } catch (e) {
        throw new Error(`cannot read the watch state file ${file}: ${(e as Error).message.split('\n')[0]}`);
      }
      const age = now() - Date.parse(state.written_at);
      if (!(age <= maxAgeMs)) throw new Error(`the watch state file ${file} was last written ${Math.round(age / 1000)} s ago: is \`amphora-ctl watch --state-file\` running?`);
      const a = state.amphorae.find((x) => x.id === id);
      return a && { id: a.id, seq: a.seq, heardAt: Date.parse(a.heard_at), message: a.message };
    },
  };
}
