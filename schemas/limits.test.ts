/** Size limits: a document over one is refused naming the field, before the schema walks it. */
import { loadExample } from '../test/lib/examples';
import { MAX_LISTENERS, MAX_MEMBERS_PER_POOL, MAX_MEMBERS_TOTAL, MAX_POOLS, checkSizeLimits } from './limits';
import { validateDocument } from './validate';

const withMembers = (counts: number[]) => {
  const d = loadExample('http-basic');
  const pool = d.loadbalancer.pools[0];
  d.loadbalancer.pools = counts.map((n, i) => ({
    ...pool, pool_id: `p${i}`,
    members: Array.from({ length: n }, (_x, j) => ({ ...pool.members[0], member_id: `p${i}m${j}`, protocol_port: 1 + (j % 65535), address: `10.${i}.${Math.floor(j / 65535)}.1` })),
  }));
  return d;
};

it('accepts a document at the limits', () => {
  expect(checkSizeLimits(withMembers([MAX_MEMBERS_PER_POOL, MAX_MEMBERS_PER_POOL, MAX_MEMBERS_TOTAL - 2 * MAX_MEMBERS_PER_POOL]))).toEqual([]);
});

it('refuses more members in one pool, naming the pool', () => {
  const r = validateDocument(withMembers([1, MAX_MEMBERS_PER_POOL + 1]));
  expect(r).toEqual({ ok: false, errors: [{ path: 'loadbalancer.pools[1].members', message: `has ${MAX_MEMBERS_PER_POOL + 1} members; at most ${MAX_MEMBERS_PER_POOL} are accepted in one pool` }] });
});

it('refuses more members in all, naming the pools', () => {
  const r = validateDocument(withMembers([MAX_MEMBERS_PER_POOL, MAX_MEMBERS_PER_POOL, MAX_MEMBERS_TOTAL - 2 * MAX_MEMBERS_PER_POOL + 1]));
  expect(r.ok || r.errors).toEqual([{ path: 'loadbalancer.pools', message: `have ${MAX_MEMBERS_TOTAL + 1} members in all; at most ${MAX_MEMBERS_TOTAL} are accepted` }]);
});

it('refuses more listeners or pools than accepted', () => {
  const d = loadExample('http-basic');
  d.loadbalancer.listeners = Array.from({ length: MAX_LISTENERS + 1 }, () => d.loadbalancer.listeners[0]);
  d.loadbalancer.pools = Array.from({ length: MAX_POOLS + 1 }, () => ({ ...d.loadbalancer.pools[0], members: [] }));
  expect(checkSizeLimits(d).map((e) => e.path)).toEqual(['loadbalancer.listeners', 'loadbalancer.pools']);
});
