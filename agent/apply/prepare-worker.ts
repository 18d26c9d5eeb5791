/**
 * Worker-process entry (see worker-preparer.ts): takes `{init: context}`
 * first, then answers `{id, input, context?, stageTo?}` with `{id, result}`
 * (a PrepareResult) and, for a valid document, then `{id, hash}`; a failure
 * is `{id, error, malformed?, storageFull?}`. Exits with its parent.
 */
import { renderers } from '../../renderers';
import type { RenderContext } from '../../renderers/types';
import { MalformedBody, StorageFull } from '../errors';
import { documentHash } from '../state/hash';
import { parsedInput } from '../api/body';
import { prepareAndStage, type PrepareOptions } from './prepare';

export interface WorkerRequest {
  id: number;
  /** the body's bytes, or a parsed document */
  input: unknown;
  context?: RenderContext;
  stageTo?: PrepareOptions['stageTo'];
}

/** What a StorageFull carries across (rebuilt as one by the daemon). */
export interface StorageFullFields {
  dir: string;
  what: string;
  neededBytes: number | null;
  freeBytes: number | null;
}

let context: RenderContext | null = null;

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
    const input = parsedInput(m.input);
    const ctx = m.context ?? context;
    const result = prepareAndStage(input, ctx, renderers[ctx.capabilities.engine], { stageTo: m.stageTo });
    // the hash once the result is on its way (a large one is written in parts): the caller checks the files with the engine meanwhile
    process.send?.({ id, result }, (e: Error | null) => {
      if (!e && result.ok) process.send?.({ id, hash: documentHash(input) });
    });
  } catch (e) {
    const storageFull: StorageFullFields | undefined = e instanceof StorageFull ? { dir: e.dir, what: e.what, neededBytes: e.neededBytes, freeBytes: e.freeBytes } : undefined;
    process.send?.({ id, error: (e as Error)?.message ?? String(e), malformed: e instanceof MalformedBody, storageFull });
  }
});
// the daemon gone (killed), nothing is left to answer
process.on('disconnect', () => process.exit(0));
