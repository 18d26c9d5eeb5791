/**
 * Worker-process entry (see worker-preparer.ts): takes `{init: context}`
 * first, then answers `{id, input, context?, stageTo?, dryRun?}`. A valid
 * document is answered in parts, in this order: `{id, head}` (a
 * PreparedHead, once the files are written where `stageTo` says), `{id,
 * full}` (not for a dry run), `{id, hash}`, `{id, doc}` (the validated
 * document as text; not for a dry run). An invalid one is `{id, result}`
 * (its errors); a failure is `{id, error, malformed?, storageFull?}`. Exits
 * with its parent.
 */
import { rendererFor } from '../../renderers/by-engine';
import type { RenderContext } from '../../renderers/types';
import { MalformedBody, StorageFull } from '../errors';
import { createPrepareState, prepareCall, type PreparedFull, type PrepareOptions } from './prepare';

export interface WorkerRequest {
  id: number;
  /** the body's bytes, or a parsed document */
  input: unknown;
  context?: RenderContext;
  stageTo?: PrepareOptions['stageTo'];
  dryRun?: boolean;
  documentFor?: PrepareOptions['documentFor'];
}

/** What a StorageFull carries across (rebuilt as one by the daemon). */
export interface StorageFullFields {
  dir: string;
  what: string;
  neededBytes: number | null;
  freeBytes: number | null;
}

let context: RenderContext | null = null;
// the listeners and pools of the last document, validated and serialized: the next one redoes only what changed
const state = createPrepareState();

const failure = (id: number | undefined, e: unknown) => {
  const storageFull: StorageFullFields | undefined = e instanceof StorageFull ? { dir: e.dir, what: e.what, neededBytes: e.neededBytes, freeBytes: e.freeBytes } : undefined;
  process.send?.({ id, error: (e as Error)?.message ?? String(e), malformed: e instanceof MalformedBody, storageFull });
};

process.on('message', (m: { init?: RenderContext } & Partial<WorkerRequest>) => {
  if (m.init) {
    context = m.init;
    return;
  }
  const id = m.id;
  if (!context) {
    process.send?.({ id, error: 'the worker was not given its render context' });
    return;
  }
  try {
    const ctx = m.context ?? context;
    const call = prepareCall(m.input, ctx, rendererFor(ctx.capabilities.engine), { stageTo: m.stageTo, dryRun: m.dryRun, documentFor: m.documentFor }, state);
    const result = call.result;
    if (!result.ok) {
      process.send?.({ id, result });
      return;
    }
    const { full, ...head } = result;
    // last, the validated document as text (one string, not an object graph; null when the daemon reads it not with
    // these files): the daemon needs it only once the engine serves
    const docNext = (e: Error | null) => {
      if (e || !full) return;
      try {
        process.send?.({ id, doc: call.docText(full) });
      } catch (x) {
        failure(id, x);
      }
    };
    // the hash once the rest is on its way (a large one is written in parts): the caller checks the files meanwhile
    const hashNext = (e: Error | null) => {
      if (e) return;
      try {
        process.send?.({ id, hash: call.hash() }, docNext);
      } catch (x) {
        failure(id, x);
      }
    };
    if (!full) {
      process.send?.({ id, head }, hashNext);
      return;
    }
    process.send?.({ id, head });
    // files written where the head says (its `staged`) stay there: the daemon reads them back rather than take them across
    const answer: PreparedFull = { out: head.staged && full.out ? { ...full.out, files: {} } : full.out };
    process.send?.({ id, full: answer }, hashNext);
  } catch (e) {
    failure(id, e);
  }
});
// the daemon gone (killed), nothing is left to answer
process.on('disconnect', () => process.exit(0));
