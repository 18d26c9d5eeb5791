/** Content hashes: a document's identity for the generation check and the heartbeat's config_hash. */
import { createHash, randomBytes } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal content gives equal text (V8's own serializer does the rest). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    const o = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) sorted[k] = o[k];
    return sorted;
  }) ?? 'null';
}

/** sha256 hex of a document's canonical JSON. */
export function documentHash(doc: unknown): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

/**
 * The canonical JSON of the listeners and pools of the last document hashed,
 * by the JSON text they came as: documentHashByParts serializes only the
 * ones that changed.
 */
export interface HashMemo {
  listeners: Map<string, string>;
  pools: Map<string, string>;
}

export const createHashMemo = (): HashMemo => ({ listeners: new Map(), pools: new Map() });

/** The JSON text of each listener and pool of `input`, in order (what validation by parts saw: schemas/validate.ts). */
export interface DocumentItemTexts {
  listeners: string[];
  pools: string[];
}

/**
 * documentHash(input), the same value, with the canonical text of each
 * listener and pool whose JSON text is unchanged taken from `memo`. An
 * array's canonical JSON is its items' canonical JSON joined: the rest of
 * the document is serialized with a marker in place of each array, and the
 * marker replaced.
 */
export function documentHashByParts(input: unknown, texts: DocumentItemTexts, memo: HashMemo): string {
  const lb = (input as { loadbalancer?: { listeners?: unknown; pools?: unknown } } | null)?.loadbalancer;
  const listeners = lb?.listeners;
  const pools = lb?.pools;
  if (!Array.isArray(listeners) || !Array.isArray(pools) || listeners.length !== texts.listeners.length || pools.length !== texts.pools.length) return documentHash(input);
  // a marker no document holds: a nonce of this call (a document may hold any string, never one it cannot know)
  const nonce = randomBytes(16).toString('hex');
  const marks = { listeners: `listeners ${nonce}`, pools: `pools ${nonce}` };
  const shell = canonicalJson({ ...(input as object), loadbalancer: { ...lb, listeners: marks.listeners, pools: marks.pools } });
  const next = createHashMemo();
  const joined = (items: unknown[], keys: string[], kept: Map<string, string>, into: Map<string, string>) => {
    const out: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const c = into.get(keys[i]) ?? kept.get(keys[i]) ?? canonicalJson(items[i]);
      into.set(keys[i], c);
      out.push(c);
    }
    return `[${out.join(',')}]`;
  };
  const l = JSON.stringify(marks.listeners);
  const p = JSON.stringify(marks.pools);
  const at = (m: string) => (shell.indexOf(m) === shell.lastIndexOf(m) ? shell.indexOf(m) : -1);
  const li = at(l);
  const pi = at(p);
  if (li < 0 || pi < 0) return documentHash(input);
  const parts = li < pi
    ? [shell.slice(0, li), joined(listeners, texts.listeners, memo.listeners, next.listeners), shell.slice(li + l.length, pi), joined(pools, texts.pools, memo.pools, next.pools), shell.slice(pi + p.length)]
    : [shell.slice(0, pi), joined(pools, texts.pools, memo.pools, next.pools), shell.slice(pi + p.length, li), joined(listeners, texts.listeners, memo.listeners, next.listeners), shell.slice(li + l.length)];
  Object.assign(memo, next);
  const h = createHash('sha256');
  for (const x of parts) h.update(x);
  return h.digest('hex');
}

/** sha256 hex over a set of rendered files (path and content, in path order). */
export function filesHash(files: Record<string, string>): string {
  const h = createHash('sha256');
  for (const p of Object.keys(files).sort()) h.update(`${p}\0${files[p].length}\0${files[p]}\0`);
  return h.digest('hex');
}
