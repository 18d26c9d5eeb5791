/**
 * After a reload: the new worker answers on its stats socket and every
 * listener the serve plan gives the engine is a frontend that is OPEN (bound);
 * an engine with its own `verify` (nginx) answers that itself.
 */
import type { ServePlan } from '../../renderers/types';
import type { Engine } from '../engines/types';
import { pollDelayMs } from '../poll';

/** A settled promise's value, or its reason thrown. */
function settledValue<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

/** The cells of `show stat` the verification reads. */
export const VERIFY_COLUMNS = ['pxname', 'svname', 'status'] as const;

/** Null when the running engine serves what it should, else the reason. */
export async function verifyServing(engine: Engine, frontends: readonly string[]): Promise<string | null> {
  if (!engine.info || !engine.stats) return `${engine.name} offers neither a verification nor stats`;
  // the three questions at once (one round trip, not three); the answers are read in order, as if asked so
  const [s, i, r] = await Promise.allSettled([engine.status(), engine.info(), frontends.length ? engine.stats({ frontendsOnly: true, columns: VERIFY_COLUMNS }) : null]);
  const status = settledValue(s);
  if (!status.running || status.workerPid === null) return 'the engine has no current worker';
  const info = settledValue(i);
  if (Number(info.Pid) !== status.workerPid) return `the stats socket answers for pid ${info.Pid}, not the new worker ${status.workerPid}`;
  const rows = settledValue(r);
  if (!rows) return null;
  const open = new Set(rows.filter((r) => r.svname === 'FRONTEND' && r.status === 'OPEN').map((r) => r.pxname));
  const missing = frontends.filter((f) => !open.has(f));
  return missing.length ? `listeners not open: ${missing.join(', ')}` : null;
}

export interface WaitOptions {
  timeoutMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Polls verifyServing until it passes or the deadline passes: the new worker may need a moment to answer. */
export async function waitServing(engine: Engine, plan: ServePlan, o: WaitOptions): Promise<void> {
  const now = o.now ?? (() => Date.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const began = now();
  const deadline = began + o.timeoutMs;
  const frontends = plan.engine.map((l) => l.id);
  for (;;) {
    let reason: string | null;
    try {
      // an engine that can tell itself (nginx: its config token and binds) is asked; haproxy's stats are read here
      reason = engine.verify ? await engine.verify(plan) : await verifyServing(engine, frontends);
    } catch (e) {
      reason = (e as Error).message;
    }
    if (reason === null) return;
    if (now() > deadline) throw new Error(`verification failed: ${reason}`);
    await sleep(pollDelayMs(now() - began));
  }
}
