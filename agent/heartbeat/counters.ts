/**
 * The heartbeat's memory: the last `seq` and the engine's absolute counters at
 * the last message, in one small JSON file written atomically, so that after an
 * agent restart `seq` keeps growing and deltas are neither lost nor counted twice.
 *
 * haproxy starts its counters at 0 in every new process (each reload), so the
 * baselines belong to one process, named by `show info` Pid and Start_time_sec;
 * a new process, an uptime that went backwards, or a counter that went down
 * (`clear counters`) means the current value is all new traffic.
 */
import * as fs from 'node:fs';
import { replaceFile, writeFileAtomic } from '../durable-fs';

export const DELTA_METRICS = ['bin', 'bout', 'stot', 'ereq'] as const;
export type Totals = Record<(typeof DELTA_METRICS)[number], number>;

/** Which engine process the counters come from. */
export interface EngineIdentity {
  pid: string;
  /** `Start_time_sec`, when haproxy reports it */
  startTime: string | null;
  uptimeSec: number;
}

export interface CounterState {
  /** last seq sent */
  seq: number;
  engine: EngineIdentity | null;
  /** absolute counters per listener at the last message or checkpoint */
  listeners: Record<string, Totals>;
  /** deltas taken by a checkpoint (before a reload) and not sent yet */
  pending: Record<string, Totals>;
}

const ZERO: Totals = { bin: 0, bout: 0, stot: 0, ereq: 0 };

/** a + b, metric by metric. */
export function addTotals(a: Totals | undefined, b: Totals): Totals {
  if (!a) return { ...b };
  return { bin: a.bin + b.bin, bout: a.bout + b.bout, stot: a.stot + b.stot, ereq: a.ereq + b.ereq };
}

/** True when `now` is not the process the baselines were taken from. */
export function engineRestarted(prev: EngineIdentity | null, now: EngineIdentity): boolean {
  if (!prev) return true;
  if (prev.pid !== now.pid) return true;
  if (prev.startTime && now.startTime && prev.startTime !== now.startTime) return true;
  return now.uptimeSec < prev.uptimeSec;
}

/** Deltas since `prev` for every listener in `current`; the next state keeps only those listeners. */
export function computeDeltas(
  prev: CounterState,
  engine: EngineIdentity,
  current: Record<string, Totals>,
): { deltas: Record<string, Totals>; listeners: Record<string, Totals>; restarted: boolean } {
  const restarted = engineRestarted(prev.engine, engine);
  const deltas: Record<string, Totals> = {};
  for (const [id, cur] of Object.entries(current)) {
    const base = (!restarted && prev.listeners[id]) || ZERO;
    const d = { ...ZERO };
    for (const m of DELTA_METRICS) {
      const diff = cur[m] - base[m];
      d[m] = diff < 0 ? cur[m] : diff;
    }
    deltas[id] = d;
  }
  return { deltas, listeners: current, restarted };
}

function isTotals(v: unknown): v is Totals {
  return !!v && typeof v === 'object' && DELTA_METRICS.every((m) => Number.isSafeInteger((v as Record<string, unknown>)[m]));
}

/** Reads and writes the counters file; the in-memory copy is the truth once loaded. */
export class CounterStore {
  private state: CounterState | null = null;

  /** `now` seeds seq when no file exists (see `fresh`). */
  constructor(
    readonly file: string,
    private readonly now: () => number,
    private readonly onProblem: (msg: string, err: unknown) => void = () => undefined,
  ) {}

  /**
   * With no file (first start, or a lost disk) seq starts at the clock in
   * milliseconds: at most one message per millisecond was ever sent, so the
   * controller, which drops any seq not newer than the last, still accepts us.
   */
  private fresh(): CounterState {
    return { seq: Math.floor(this.now()), engine: null, listeners: {}, pending: {} };
  }

  /** The current state, read from disk on first use. */
  load(): CounterState {
    if (this.state) return this.state;
    let raw: string | null = null;
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.onProblem('cannot read the heartbeat counters; starting afresh', e);
    }
    this.state = raw === null ? this.fresh() : this.parse(raw);
    return this.state;
  }

  private parse(raw: string): CounterState {
    try {
      const v = JSON.parse(raw) as Partial<CounterState>;
      if (!Number.isSafeInteger(v.seq) || !v.listeners || typeof v.listeners !== 'object') throw new Error('unexpected shape');
      const listeners: Record<string, Totals> = {};
      for (const [id, t] of Object.entries(v.listeners)) if (isTotals(t)) listeners[id] = t;
      const pending: Record<string, Totals> = {};
      for (const [id, t] of Object.entries(v.pending ?? {})) if (isTotals(t)) pending[id] = t;
      const e = v.engine;
      const engine = e && typeof e.pid === 'string' && typeof e.uptimeSec === 'number' ? { pid: e.pid, startTime: e.startTime ?? null, uptimeSec: e.uptimeSec } : null;
      return { seq: v.seq as number, engine, listeners, pending };
    } catch (e) {
      this.onProblem('the heartbeat counters file is corrupt; starting afresh', e);
      return this.fresh();
    }
  }

  /**
   * Replaces the state: temp file, fsync, rename, so a crash leaves the old or
   * the new file, never half. `durable: false` skips the syncs (replaceFile):
   * for a checkpoint before a reload, on the apply's path; it keeps the
   * sequence number, so a power loss that loses it loses the deltas it took
   * (the traffic of the last interval), never makes `seq` go back.
   */
  save(next: CounterState, durable = true): void {
    // memory first: when the disk fails the running agent still counts right
    this.state = next;
    if (durable) writeFileAtomic(this.file, JSON.stringify(next));
    else replaceFile(this.file, JSON.stringify(next));
  }
}
