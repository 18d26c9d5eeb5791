/**
 * Size limits of a document, chosen so that applying the largest document the
 * agent accepts stays within 512 MiB of resident memory on a 1 GiB amphora
 * (measured with bench/big-document.bench.ts; docs/configuration.md
 * "Limits"), and haproxy parses it in seconds: its parse time grows with the
 * square of one backend's servers (50,000 in one pool: 33 s of CPU; 10,000:
 * 0.4 s). They are checked on the raw input before anything else, so a
 * document over one is refused (400 naming the field) at little cost.
 */
import type { ValidationError } from './validate';

/** Listeners of the load balancer. */
export const MAX_LISTENERS = 1000;
/** Pools of the load balancer. */
export const MAX_POOLS = 2000;
/** Members of one pool. */
export const MAX_MEMBERS_PER_POOL = 10000;
/** Members of all pools together. */
export const MAX_MEMBERS_TOTAL = 25000;

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The limits a raw document is over (empty when none): counted before any schema runs. */
export function checkSizeLimits(input: unknown): ValidationError[] {
  const lb = (input as { loadbalancer?: { listeners?: unknown; pools?: unknown } } | null)?.loadbalancer;
  if (!lb || typeof lb !== 'object') return [];
  const out: ValidationError[] = [];
  const listeners = list(lb.listeners);
  const pools = list(lb.pools);
  if (listeners.length > MAX_LISTENERS) out.push({ path: 'loadbalancer.listeners', message: `has ${listeners.length} listeners; at most ${MAX_LISTENERS} are accepted` });
  if (pools.length > MAX_POOLS) out.push({ path: 'loadbalancer.pools', message: `has ${pools.length} pools; at most ${MAX_POOLS} are accepted` });
  let total = 0;
  pools.forEach((p, i) => {
    const n = list((p as { members?: unknown } | null)?.members).length;
    total += n;
    if (n > MAX_MEMBERS_PER_POOL) out.push({ path: `loadbalancer.pools[${i}].members`, message: `has ${n} members; at most ${MAX_MEMBERS_PER_POOL} are accepted in one pool` });
  });
  if (total > MAX_MEMBERS_TOTAL) out.push({ path: 'loadbalancer.pools', message: `have ${total} members in all; at most ${MAX_MEMBERS_TOTAL} are accepted` });
  return out;
}
