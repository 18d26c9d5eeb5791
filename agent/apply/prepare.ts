/**
 * Validation and rendering of one document, pure CPU work: the daemon runs it
 * in a worker process (see worker-preparer.ts) so that zod, the templates and
 * the garbage of a large document never live in the daemon's own heap, and
 * the API and heartbeat stay responsive while it runs.
 */
import { validateDocument, type Document, type ValidationError } from '../../schemas';
import { checkCapabilities, renderers } from '../../renderers';
import type { RenderContext, RenderFn, RenderOutput } from '../../renderers/types';
import { documentHash } from '../state/hash';

export type Prepared =
  | { ok: true; doc: Document; hash: string; out: RenderOutput | null; renderError: string | null }
  | { ok: false; errors: ValidationError[] };

/**
 * Turns untrusted input into a document and its files (or the reason it
 * cannot be rendered); `context`, when given, replaces the preparer's own
 * (the render inputs that change while the agent runs: members the agent's
 * monitors hold DOWN).
 */
export type Preparer = (input: unknown, context?: RenderContext) => Promise<Prepared>;

/** Validates, checks the engine can serve everything the document uses, renders. Never throws. */
export function prepareDocument(input: unknown, context: RenderContext, render: RenderFn): Prepared {
  const v = validateDocument(input);
  if (!v.ok) return { ok: false, errors: v.errors };
  const unserved = checkCapabilities(v.doc, context.capabilities);
  if (unserved.length) return { ok: false, errors: unserved };
  // the document's identity (generation check, heartbeat config_hash), hashed here off the daemon's thread
  const hash = documentHash(input);
  try {
    return { ok: true, doc: v.doc, hash, out: render(v.doc, context), renderError: null };
  } catch (e) {
    return { ok: true, doc: v.doc, hash, out: null, renderError: (e as Error).message };
  }
}

/** A preparer that runs in the calling thread (unit tests, in-process daemons). */
export function createInProcessPreparer(context: RenderContext, render: RenderFn = renderers[context.capabilities.engine]): Preparer {
  return async (input, ctx) => prepareDocument(input, ctx ?? context, render);
}
