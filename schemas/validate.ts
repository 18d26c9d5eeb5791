/** The one entry point that turns untrusted input into a typed document or a full list of `{path, message}`. */
import { z } from 'zod';
import { checkCrossRules } from './cross-rules';
import { checkPemFields } from './pem-rules';
import { formatPath } from './raw';
import { Document, lenientSchemas, strictSchemas } from './document';
import { checkSizeLimits, MAX_LISTENERS, MAX_POOLS } from './limits';
import { SCHEMA_MAJOR, SCHEMA_MINOR, SUPPORTED_SCHEMA_VERSIONS } from './version';

export interface ValidationError {
  path: string;
  message: string;
}
export type ValidationResult = { ok: true; doc: Document } | { ok: false; errors: ValidationError[] };

/** Turns zod issues into `{path, message}` with the document's own keys; unions report their closest branch. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): ValidationError[] {
  const out: ValidationError[] = [];
  for (const i of issues) {
    const path = [...prefix, ...i.path];
    if (i.code === 'invalid_union' && i.errors.length) {
      // the branch with the fewest issues is the one the user most likely meant
      const best = [...i.errors].sort((a, b) => a.length - b.length)[0];
      out.push(...formatZodIssues(best, path));
    } else if (i.code === 'unrecognized_keys') {
      const what = path[path.length - 1] === 'insert_headers' ? 'is not a header this agent can insert' : `is not a known field of schema_version ${SCHEMA_MAJOR}.${SCHEMA_MINOR}`;
      for (const k of i.keys) out.push({ path: formatPath([...path, k]), message: what });
    } else if (i.code === 'invalid_key') {
      out.push({ path: formatPath(path), message: `is not an accepted key (${i.issues.map((x) => x.message).join('; ')})` });
    } else {
      out.push({ path: formatPath(path), message: messageOf(i) });
    }
  }
  return out;
}

function messageOf(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_type' && /received undefined$/.test(i.message)) return 'is required';
  if (i.code === 'invalid_type') return `must be of type ${i.expected}`;
  if (i.code === 'invalid_value' && i.values.length) return `must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (i.code === 'too_small' || i.code === 'too_big') {
    const bound = i.code === 'too_small' ? `at least ${String(i.minimum)}` : `at most ${String(i.maximum)}`;
    if (i.origin === 'array') return `must have ${bound} item(s)`;
    if (i.origin === 'string') return `must be ${bound} characters long`;
    return `must be ${bound}`;
  }
  return i.message.replace(/^Invalid input: /, '');
}

/** Checks `schema_version` alone: null when this agent can read the document, else the error. */
export function checkSchemaVersion(input: unknown): ValidationError | null {
  const v = (input as { schema_version?: unknown } | null)?.schema_version;
  if (typeof v !== 'string' || !/^\d+\.\d+$/.test(v)) {
    return { path: 'schema_version', message: `must be a version "MAJOR.MINOR"; supported: ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}` };
  }
  if (Number(v.split('.')[0]) !== SCHEMA_MAJOR) {
    return { path: 'schema_version', message: `major version ${v.split('.')[0]} is not supported; supported: ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}` };
  }
  return null;
}

/**
 * What validation keeps of the last document to validate the next one by its
 * changes: the validated listeners and pools, by the JSON text they came as.
 * A process that validates document after document (the agent's validation
 * worker) keeps one; a listener or pool whose text is unchanged is not
 * validated again. The kept objects are frozen: a consumer that changed one
 * would change the next document too.
 */
export interface ValidationMemo {
  /** which schemas made the kept objects: a document of a newer minor is parsed leniently */
  strict: boolean | null;
  listeners: Map<string, unknown>;
  pools: Map<string, unknown>;
  /** the input last validated by parts, and the JSON text of each of its listeners and pools (what a hash by parts needs) */
  last: ItemTexts | null;
}

/** An input document and the JSON text of each of its listeners and pools, in order. */
export interface ItemTexts {
  input: unknown;
  listeners: string[];
  pools: string[];
}

export const createValidationMemo = (): ValidationMemo => ({ strict: null, listeners: new Map(), pools: new Map(), last: null });

/** Freezes a validated object and everything in it. */
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * The document schema's output, built from its parts: the document with
 * empty `listeners` and `pools`, then each listener and pool, taken from the
 * memo when its text is unchanged. zod parses an array's items one by one,
 * each on its own, so the output is the whole document's parse. Null when any
 * part fails, or the arrays are not plain arrays within their limits: the
 * caller then parses the whole document for its errors, with their paths.
 */
function parseByParts(input: Record<string, unknown>, schemas: ReturnType<typeof lenientSchemas>, strict: boolean, memo: ValidationMemo): Document | null {
  const lb = input.loadbalancer as Record<string, unknown> | null;
  if (!lb || typeof lb !== 'object' || Array.isArray(lb)) return null;
  const { listeners, pools } = lb;
  if (!Array.isArray(listeners) || !Array.isArray(pools) || listeners.length > MAX_LISTENERS || pools.length > MAX_POOLS) return null;
  const shell = schemas.document.safeParse({ ...input, loadbalancer: { ...lb, listeners: [], pools: [] } });
  if (!shell.success) return null;
  if (memo.strict !== strict) Object.assign(memo, createValidationMemo(), { strict });
  const texts: ItemTexts = { input, listeners: [], pools: [] };
  memo.last = null;
  const parts = (items: unknown[], schema: z.ZodType, kept: Map<string, unknown>, next: Map<string, unknown>, seen: string[]): unknown[] | null => {
    const out: unknown[] = [];
    for (const item of items) {
      const text = JSON.stringify(item);
      seen.push(text);
      let v = next.get(text) ?? kept.get(text);
      if (v === undefined) {
        const r = schema.safeParse(item);
        if (!r.success) return null;
        v = deepFreeze(r.data);
      }
      next.set(text, v);
      out.push(v);
    }
    return out;
  };
  const nextListeners = new Map<string, unknown>();
  const nextPools = new Map<string, unknown>();
  const l = parts(listeners, schemas.listener, memo.listeners, nextListeners, texts.listeners);
  const p = l && parts(pools, schemas.pool, memo.pools, nextPools, texts.pools);
  if (!l || !p) return null;
  memo.listeners = nextListeners;
  memo.pools = nextPools;
  memo.last = texts;
  const doc = shell.data as Document;
  return { ...doc, loadbalancer: { ...doc.loadbalancer, listeners: l as Document['loadbalancer']['listeners'], pools: p as Document['loadbalancer']['pools'] } };
}

/**
 * Validates a whole document: every field rule and every cross-object rule,
 * all problems at once. With a memo, unchanged listeners and pools are taken
 * from the last document's (see ValidationMemo); the result is the same.
 */
export function validateDocument(input: unknown, memo?: ValidationMemo): ValidationResult {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '(document)', message: 'must be a JSON object' }] };
  }
  const versionError = checkSchemaVersion(input);
  if (versionError) return { ok: false, errors: [versionError] };
  // over a size limit: refused before the schema walks every member
  const tooLarge = checkSizeLimits(input);
  if (tooLarge.length) return { ok: false, errors: tooLarge };
  const minor = Number((input as { schema_version: string }).schema_version.split('.')[1]);
  const strict = minor <= SCHEMA_MINOR;
  const schemas = strict ? strictSchemas : lenientSchemas();
  const byParts = memo ? parseByParts(input as Record<string, unknown>, schemas, strict, memo) : null;
  if (byParts) {
    const crossErrors = [...checkCrossRules(input), ...checkPemFields(input)];
    if (!crossErrors.length) return { ok: true, doc: byParts };
  }
  const parsed = schemas.document.safeParse(input);
  // one message per path: the first field rule that failed there, else the first other rule;
  // the other passes read the raw input, so one call reports every problem
  const errors: ValidationError[] = [];
  const faulted = new Set<string>();
  const add = (path: string, message: string) => {
    if (faulted.has(path)) return;
    faulted.add(path);
    errors.push({ path, message });
  };
  if (!parsed.success) for (const e of formatZodIssues(parsed.error.issues)) add(e.path, e.message);
  for (const c of [...checkCrossRules(input), ...checkPemFields(input)]) add(formatPath(c.path), c.message);
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, doc: parsed.data };
}
