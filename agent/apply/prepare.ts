/**
 * Validation and rendering of one document, pure CPU work: the daemon runs it
 * in a worker process (see worker-preparer.ts) so that zod, the templates and
 * the garbage of a large document never live in the daemon's own heap, and
 * the API and heartbeat stay responsive while it runs.
 *
 * The input may be the request body as received (bytes, parsed where the
 * work runs: a large document crosses to the worker as one buffer, not as an
 * object graph) or an already parsed object (a stored document). The
 * document's hash is answered after the rest: the caller checks the rendered
 * files with the engine meanwhile.
 */
import { validateDocument, type Document, type ValidationError } from '../../schemas';
import { checkCapabilities, renderers } from '../../renderers';
import type { RenderContext, RenderFn, RenderOutput } from '../../renderers/types';
import { parsedInput } from '../api/body';
import { documentHash } from '../state/hash';
import { stageFiles, type StagedFiles } from './staging';

/** What validation and rendering found, before the hash. */
export type PrepareResult =
  | {
      ok: true;
      generation: number;
      /** the validated document (defaults filled in); null for a dry run (`stageTo`) */
      doc: Document | null;
      /** the document's `amphora` block: what a sidecar's check needs of it */
      amphora: Document['amphora'];
      /** the rendered files; null for a dry run (`staged` says where they are) or when they could not be rendered */
      out: RenderOutput | null;
      /** a dry run's files, as written where `stageTo` said; null otherwise or when they could not be rendered */
      staged: StagedFiles | null;
      renderError: string | null;
    }
  | { ok: false; errors: ValidationError[] };

/** A result with its hash: a promise, settled after the result (the document's identity: generation check, heartbeat config_hash). */
export type Prepared = (Extract<PrepareResult, { ok: true }> & { hash: Promise<string> }) | Extract<PrepareResult, { ok: false }>;

export interface PrepareOptions {
  /** replaces the preparer's own context (the render inputs that change while the agent runs: members the agent's monitors hold DOWN) */
  context?: RenderContext;
  /**
   * A dry run: the files are written as candidate `name` under `stateDir`
   * where the work runs, and the answer says where (`staged`) instead of
   * carrying them, the validated document or the serve plan, which for a
   * large document would cost more to copy between the processes than to
   * render. No room is StorageFull.
   */
  stageTo?: { stateDir: string; name: string };
}

/**
 * Turns untrusted input (a JSON body as bytes, or a parsed object) into a
 * document and its files, or the reason it cannot be rendered. A body that
 * is not a JSON object throws MalformedBody (400).
 */
export type Preparer = (input: unknown, o?: PrepareOptions) => Promise<Prepared>;

/** Validates, checks the engine can serve everything the document uses, renders. Throws only MalformedBody. */
export function prepareDocument(input: unknown, context: RenderContext, render: RenderFn, filesOnly = false): PrepareResult {
  const v = validateDocument(input);
  if (!v.ok) return { ok: false, errors: v.errors };
  const unserved = checkCapabilities(v.doc, context.capabilities);
  if (unserved.length) return { ok: false, errors: unserved };
  const base = { ok: true as const, generation: v.doc.generation, doc: v.doc, amphora: v.doc.amphora, staged: null };
  try {
    return { ...base, out: render(v.doc, context, { filesOnly }), renderError: null };
  } catch (e) {
    return { ...base, out: null, renderError: (e as Error).message };
  }
}

/** prepareDocument; for a dry run (`stageTo`) the files are written there and only where they are is answered. Throws StorageFull when there is no room. */
export function prepareAndStage(input: unknown, context: RenderContext, render: RenderFn, o: PrepareOptions = {}): PrepareResult {
  const r = prepareDocument(input, context, render, !!o.stageTo);
  if (!r.ok || !o.stageTo) return r;
  return { ...r, doc: null, out: null, staged: r.out && stageFiles(o.stageTo.stateDir, o.stageTo.name, r.out) };
}

/** A preparer that runs in the calling thread (unit tests, in-process daemons). */
export function createInProcessPreparer(context: RenderContext, render: RenderFn = renderers[context.capabilities.engine]): Preparer {
  return async (raw, o) => {
    const input = parsedInput(raw);
    const r = prepareAndStage(input, o?.context ?? context, render, o);
    return r.ok ? { ...r, hash: Promise.resolve(documentHash(input)) } : r;
  };
}
