/**
 * A document's JSON built from the JSON of its listeners and pools, so that
 * the text of the ones that did not change can be reused (the validation
 * worker's memo: agent/apply/prepare.ts). An array's JSON is its items'
 * JSON joined with commas, whatever serializer wrote them (JSON.stringify,
 * canonicalJson): the rest of the document is serialized with a marker in
 * place of each of the two arrays, and each marker is replaced.
 */
import { randomBytes } from 'node:crypto';

export type ItemArray = 'listeners' | 'pools';

/**
 * `serialize(doc)`, as parts to concatenate, with `item(kind, value, index)`
 * as the text of each listener and pool. Null when the document has no
 * `loadbalancer.listeners` and `loadbalancer.pools` arrays, or a marker is
 * not found exactly once: the caller then serializes the whole document.
 */
export function serializeByItems(doc: unknown, serialize: (v: unknown) => string, item: (kind: ItemArray, value: unknown, index: number) => string): string[] | null {
  const lb = (doc as { loadbalancer?: Record<string, unknown> } | null)?.loadbalancer;
  const listeners = lb?.listeners;
  const pools = lb?.pools;
  if (!lb || !Array.isArray(listeners) || !Array.isArray(pools)) return null;
  // a marker no document holds: a nonce of this call (a document may hold any string, never one it cannot know)
  const nonce = randomBytes(16).toString('hex');
  const marks: Record<ItemArray, string> = { listeners: `listeners ${nonce}`, pools: `pools ${nonce}` };
  const shell = serialize({ ...(doc as object), loadbalancer: { ...lb, listeners: marks.listeners, pools: marks.pools } });
  const found = (Object.keys(marks) as ItemArray[]).map((kind) => {
    const quoted = JSON.stringify(marks[kind]);
    const at = shell.indexOf(quoted);
    return { kind, at, end: at + quoted.length, unique: at >= 0 && at === shell.lastIndexOf(quoted) };
  });
  if (!found.every((f) => f.unique)) return null;
  found.sort((a, b) => a.at - b.at);
  const arrays: Record<ItemArray, unknown[]> = { listeners, pools };
  const parts: string[] = [];
  let from = 0;
  for (const f of found) {
    parts.push(shell.slice(from, f.at), `[${arrays[f.kind].map((v, i) => item(f.kind, v, i)).join(',')}]`);
    from = f.end;
  }
  parts.push(shell.slice(from));
  return parts;
}
