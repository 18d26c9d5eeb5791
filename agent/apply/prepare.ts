/**
 * Validation and rendering of one document, pure CPU work: the daemon runs it
 * in a worker process (see worker-preparer.ts) so that zod, the templates and
 * the garbage of a large document never live in the daemon's own heap, and
 * the API and heartbeat stay responsive while it runs.
 *
 * The input may be the request body as received (bytes, parsed where the
 * work runs: a large document crosses to the worker as one buffer, not as an
 * object graph) or an already parsed object (a stored document). The
 * answer comes in parts: what checking the files needs (written where the
 * caller said), then the files and serve plan, the document's hash, and the
 * validated document; the caller checks the files with the engine meanwhile.
 */
import { createValidationMemo, validateDocument, type Document, type ValidationError, type ValidationMemo } from '../../schemas';
import { checkCapabilities } from '../../renderers/check-capabilities';
import { rendererFor } from '../../renderers/by-engine';
import type { RenderContext, RenderFn, RenderOutput } from '../../renderers/types';
import { parsedInput } from '../api/body';
import { createHashMemo, documentHash, documentHashByParts, filesHash, type HashMemo } from '../state/hash';
import { serializeByItems } from '../state/json-by-items';
import { GENERATION_SLOT, stageFiles, type StagedFiles } from './staging';

/**
 * What the preparer answers first for a valid document: enough to check the
 * files with the engine while the rest (the validated document, the files,
 * the serve plan; then the hash) crosses between the processes.
 */
export interface PreparedHead {
  ok: true;
  generation: number;
  /** the document's `amphora` block: what a sidecar's check needs of it */
  amphora: Document['amphora'];
  /** the files as written where `stageTo` said; null without `stageTo`, or when they could not be rendered */
  staged: StagedFiles | null;
  /** `filesHash` of the rendered files; null for a dry run or when they could not be rendered */
  filesHash: string | null;
  /** the render's hash of all but the members (renderers/types.ts): the same as the applied one, the change may be members only */
  skeletonHash: string | null;
  renderError: string | null;
}

/** The rendered files and serve plan (null when they could not be rendered). */
export interface PreparedFull {
  out: RenderOutput | null;
}

/** The validated document and its files, where the work ran. */
export interface RenderedDocument {
  doc: Document;
  out: RenderOutput | null;
}

/**
 * The validated document (defaults filled in) as JSON text: the caller parses
 * it only where it reads it. With `state.texts`, the text of each listener
 * and pool the memo kept (frozen: it cannot change) is written once and
 * reused (serializeByItems): the same text as JSON.stringify of the whole.
 */
export function documentTextOf(r: RenderedDocument, state: PrepareState = {}): string {
  const texts = state.texts;
  if (!texts) return JSON.stringify(r.doc);
  const parts = serializeByItems(r.doc, (v) => JSON.stringify(v), (_kind, v) => {
    if (!v || typeof v !== 'object' || !Object.isFrozen(v)) return JSON.stringify(v);
    let t = texts.get(v);
    if (t === undefined) texts.set(v, (t = JSON.stringify(v)));
    return t;
  });
  return parts ? parts.join('') : JSON.stringify(r.doc);
}

/** What validation and rendering found, before the hash: `full` is null for a dry run. */
export type PrepareResult = (PreparedHead & { full: RenderedDocument | null }) | { ok: false; errors: ValidationError[] };

/**
 * A result as the caller gets it: the head at once, then as promises settled
 * in this order the files, the hash (the document's identity: generation
 * check, heartbeat config_hash) and the validated document as text. `full`
 * and `docText` resolve null for a dry run; `docText` too when the files
 * include none of `documentFor`.
 */
export type Prepared = (PreparedHead & { full: Promise<PreparedFull | null>; hash: Promise<string>; docText: Promise<string | null> }) | { ok: false; errors: ValidationError[] };

export interface PrepareOptions {
  /** replaces the preparer's own context (the render inputs that change while the agent runs: members the agent's monitors hold DOWN) */
  context?: RenderContext;
  /**
   * The files are written as candidate `name` (GENERATION_SLOT replaced by the generation)
   * under `stateDir` where the work runs, not synced, before the rest is
   * answered: the caller starts the engine's check on them at once. No room
   * is StorageFull.
   */
  stageTo?: { stateDir: string; name: string };
  /**
   * Only where the files are is answered (with `stageTo`): not the validated
   * document, the files or the serve plan, which for a large document would
   * cost more to copy between the processes than to render.
   */
  dryRun?: boolean;
  /**
   * The rendered files with which the caller reads the validated document: its
   * text (`docText`) is answered only when the files include one of them, and
   * is null otherwise (a large document's text costs its copy between the
   * processes, and the daemon's memory while it is applied). Absent: always.
   */
  documentFor?: readonly string[];
}

/** Whether the validated document is answered for these files (PrepareOptions.documentFor). */
export function documentWanted(o: Pick<PrepareOptions, 'documentFor'>, out: RenderOutput | null): boolean {
  return !o.documentFor || (out !== null && o.documentFor.some((f) => Object.hasOwn(out.files, f)));
}

/** Where the work runs: what it keeps from one document for the next (schemas/validate.ts, agent/state/hash.ts). */
export interface PrepareState {
  memo?: ValidationMemo;
  hashMemo?: HashMemo;
  /** the JSON text of the validated listeners and pools the memo keeps, by object */
  texts?: WeakMap<object, string>;
}

export const createPrepareState = (): PrepareState => ({ memo: createValidationMemo(), hashMemo: createHashMemo(), texts: new WeakMap() });

/**
 * Bodies up to this size are validated by changes. The memo of a document
 * stays in the worker's heap beside the next one: for the largest documents
 * an agent accepts (8 MiB of members or L7 policies), whole validation peaks
 * at ~115–125 MiB of heap, and ~170–190 MiB with the last one's memo, too
 * close to the worker's 256. 2 MiB holds ~280 listeners of `gen-large`'s shape.
 */
export const MEMO_MAX_BYTES = 2 << 20;

/**
 * What a call may use of `state`: nothing for a dry run (a first look at a
 * document would pay for filling the memo), nothing for a body over
 * MEMO_MAX_BYTES or an input not given as bytes, and then the memo is
 * emptied too, so it is not held while a large document is validated.
 */
export function stateFor(raw: unknown, o: Pick<PrepareOptions, 'dryRun'> | undefined, state: PrepareState): PrepareState {
  if (o?.dryRun) return {};
  if (raw instanceof Uint8Array && raw.byteLength <= MEMO_MAX_BYTES) return state;
  Object.assign(state, createPrepareState());
  return {};
}

/** The document's hash (documentHash), by parts when validation by parts just read this very input. */
export function hashOf(input: unknown, state: PrepareState): string {
  const last = state.memo?.last;
  return last && last.input === input && state.hashMemo ? documentHashByParts(input, last, state.hashMemo) : documentHash(input);
}

/**
 * Turns untrusted input (a JSON body as bytes, or a parsed object) into a
 * document and its files, or the reason it cannot be rendered. A body that
 * is not a JSON object throws MalformedBody (400).
 */
export type Preparer = (input: unknown, o?: PrepareOptions) => Promise<Prepared>;

/** What validation and rendering give, all in one. */
type Rendered =
  | { ok: true; generation: number; doc: Document; amphora: Document['amphora']; out: RenderOutput | null; renderError: string | null }
  | { ok: false; errors: ValidationError[] };

/** Validates, checks the engine can serve everything the document uses, renders. Throws only MalformedBody. */
export function prepareDocument(input: unknown, context: RenderContext, render: RenderFn, filesOnly = false, state: PrepareState = {}): Rendered {
  const v = validateDocument(input, state.memo);
  if (!v.ok) return { ok: false, errors: v.errors };
  const unserved = checkCapabilities(v.doc, context.capabilities);
  if (unserved.length) return { ok: false, errors: unserved };
  const base = { ok: true as const, generation: v.doc.generation, doc: v.doc, amphora: v.doc.amphora };
  try {
    return { ...base, out: render(v.doc, context, { filesOnly }), renderError: null };
  } catch (e) {
    return { ...base, out: null, renderError: (e as Error).message };
  }
}

/** prepareDocument, and the files written where `stageTo` says. Throws StorageFull when there is no room. */
export function prepareAndStage(input: unknown, context: RenderContext, render: RenderFn, o: PrepareOptions = {}, state: PrepareState = {}): PrepareResult {
  // a dry run's files are checked and removed: it needs no skeleton hash, no files hash
  const r = prepareDocument(input, context, render, !!o.dryRun, state);
  if (!r.ok) return r;
  const staged = o.stageTo && r.out ? stageFiles(o.stageTo.stateDir, o.stageTo.name.split(GENERATION_SLOT).join(String(r.generation)), r.out) : null;
  return {
    ok: true, generation: r.generation, amphora: r.amphora, staged, renderError: r.renderError,
    filesHash: r.out && !o.dryRun ? filesHash(r.out.files) : null,
    skeletonHash: r.out?.skeletonHash ?? null,
    full: o.dryRun ? null : { doc: r.doc, out: r.out },
  };
}

/**
 * One call of a preparer, where the work runs (the worker, or the in-process
 * preparer): the body parsed, validated and rendered with what the call may
 * use of `state` (stateFor), and the document's hash and validated text made
 * later, with that same part of it.
 */
export function prepareCall(raw: unknown, context: RenderContext, render: RenderFn, o: PrepareOptions, state: PrepareState): {
  result: PrepareResult;
  hash(): string;
  /** null when the caller does not read it with these files (PrepareOptions.documentFor) */
  docText(full: RenderedDocument): string | null;
} {
  const input = parsedInput(raw);
  const used = stateFor(raw, o, state);
  return {
    result: prepareAndStage(input, context, render, o, used),
    hash: () => hashOf(input, used),
    docText: (full) => (documentWanted(o, full.out) ? documentTextOf(full, used) : null),
  };
}

/** A preparer that runs in the calling thread (unit tests, in-process daemons). */
export function createInProcessPreparer(context: RenderContext, render: RenderFn = rendererFor(context.capabilities.engine)): Preparer {
  const state = createPrepareState();
  return async (raw, o) => {
    const call = prepareCall(raw, o?.context ?? context, render, o ?? {}, state);
    const r = call.result;
    if (!r.ok) return r;
    const { full, ...head } = r;
    return { ...head, full: Promise.resolve(full && { out: full.out }), hash: Promise.resolve(call.hash()), docText: Promise.resolve(full && call.docText(full)) };
  };
}
