/** Content hashes: a document's identity for the generation check and the heartbeat's config_hash. */
import { createHash } from 'node:crypto';
import type { ItemTexts } from '../../schemas/validate';
import { serializeByItems, type ItemArray } from './json-by-items';

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

/**
 * documentHash(input), the same value, with the canonical text of each
 * listener and pool whose JSON text is unchanged taken from `memo`
 * (serializeByItems); `memo` then holds this document's.
 */
export function documentHashByParts(input: unknown, texts: Pick<ItemTexts, ItemArray>, memo: HashMemo): string {
  const lb = (input as { loadbalancer?: { listeners?: unknown; pools?: unknown } } | null)?.loadbalancer;
  if (!Array.isArray(lb?.listeners) || !Array.isArray(lb?.pools) || lb.listeners.length !== texts.listeners.length || lb.pools.length !== texts.pools.length) return documentHash(input);
  const next = createHashMemo();
  const parts = serializeByItems(input, canonicalJson, (kind, value, i) => {
    const key = texts[kind][i];
    const c = next[kind].get(key) ?? memo[kind].get(key) ?? canonicalJson(value);
    next[kind].set(key, c);
    return c;
  });
  if (!parts) return documentHash(input);
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
