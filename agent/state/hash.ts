/** Content hashes: a document's identity for the generation check and the heartbeat's config_hash. */
import { createHash } from 'node:crypto';

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

/** sha256 hex over a set of rendered files (path and content, in path order). */
export function filesHash(files: Record<string, string>): string {
  const h = createHash('sha256');
  for (const p of Object.keys(files).sort()) h.update(`${p}\0${files[p].length}\0${files[p]}\0`);
  return h.digest('hex');
}
