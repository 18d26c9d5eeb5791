/**
 * One upstream per listener–pool pair, named `POOL_ID~LISTENER_ID` (`~` is in
 * no id, so names never collide), and for cookie persistence one per member,
 * `POOL_ID~LISTENER_ID~MEMBER_ID`, that a pinned request is sent to.
 */
import type { Member, Pool } from '../../schemas';
import { UnsafeValueError } from '../escape';
import { formatAddress, netmaskPrefix, sourceHashKey, sourceMaskBlock } from './helpers';
import { nginxWord } from './quote';
import type { BlockRegistry } from './registry';
import type { BlockView } from './view-model';

/** Idle connections to members each worker keeps per upstream (HTTP), as haproxy reuses server connections. */
export const UPSTREAM_KEEPALIVE = 16;

/** `POOL~LISTENER` or `POOL~LISTENER~MEMBER`. */
export function upstreamName(poolId: string, listenerId: string, memberId?: string): string {
  const parts = [poolId, listenerId, ...(memberId === undefined ? [] : [memberId])];
  return parts.map((p) => nginxWord(p, 'an id')).join('~');
}

/** The balancing directive of a pool, or null for round robin (nginx's default); a masked source is mapped in `reg`. */
export function balanceOf(p: Pool, reg: BlockRegistry): string | null {
  const sp = p.session_persistence;
  // SOURCE_IP persistence is a hash of the (masked) client address, whatever the algorithm (README)
  if (sp?.type === 'SOURCE_IP') {
    const key = sourceHashKey(sp.persistence_granularity);
    if (key === null) throw new UnsafeValueError('a persistence_granularity nginx can hash on', sp.persistence_granularity ?? '');
    const prefix = netmaskPrefix(sp.persistence_granularity) ?? 32;
    if (prefix < 32) reg.once(`src:${prefix}`, () => ({ variable: key, block: sourceMaskBlock(prefix) }));
    return `hash ${key};`;
  }
  switch (p.lb_algorithm) {
    case 'LEAST_CONNECTIONS':
      return 'least_conn;';
    case 'SOURCE_IP':
      return 'hash $remote_addr;';
    case 'SOURCE_IP_PORT':
      return 'hash $remote_addr:$remote_port;';
    default:
      return null;
  }
}

/** True when the member may take new connections: enabled, in an enabled pool, weight above 0, not held DOWN. */
export function takesTraffic(m: Member, p: Pool, down: ReadonlySet<string>): boolean {
  return p.admin_state_up && m.admin_state_up && m.weight > 0 && !down.has(m.member_id);
}

/** True when the pool has a member that may take new connections (else nginx would answer 502; we answer as haproxy does). */
export function poolAvailable(p: Pool, down: ReadonlySet<string>): boolean {
  return p.members.some((m) => takesTraffic(m, p, down));
}

/** A member's `server` line in the pool's upstream (`asPin`: in its own upstream for cookie persistence). */
export function serverLine(m: Member, p: Pool, down: ReadonlySet<string>, asPin: boolean, primaries: boolean): string {
  const words = [formatAddress(m.address, m.protocol_port)];
  // nginx weights start at 1: weight 0 (no new traffic) is `down` below, and a pin ignores weights
  words.push(`weight=${asPin ? 1 : Math.max(1, m.weight)}`);
  // the agent's monitors decide a member's state; nginx's own passive marking would hide it
  words.push('max_fails=0');
  // nginx wants a primary server: when every member is a backup, they serve as primaries (haproxy's backups would too)
  if (m.backup && !asPin && primaries) words.push('backup');
  const up = asPin ? p.admin_state_up && m.admin_state_up && !down.has(m.member_id) : takesTraffic(m, p, down);
  if (!up) words.push('down');
  return `server ${words.join(' ')};`;
}

/**
 * The upstream of pool `p` for listener `listenerId` (null when the pool has
 * no member: nginx refuses an empty upstream, and the location answers 503),
 * plus one single-member upstream per member when cookies pin clients.
 */
export function buildUpstreams(p: Pool, listenerId: string, http: boolean, down: ReadonlySet<string>, reg: BlockRegistry): BlockView[] {
  if (p.members.length === 0) return [];
  const balance = balanceOf(p, reg);
  const primaries = p.members.some((m) => !m.backup);
  const keepalive = http ? [`keepalive ${UPSTREAM_KEEPALIVE};`] : [];
  const blocks: BlockView[] = [
    { head: `upstream ${upstreamName(p.pool_id, listenerId)}`, lines: [...(balance ? [balance] : []), ...p.members.map((m) => serverLine(m, p, down, false, primaries)), ...keepalive] },
  ];
  if (http && (p.session_persistence?.type === 'HTTP_COOKIE' || p.session_persistence?.type === 'APP_COOKIE')) {
    for (const m of p.members) blocks.push({ head: `upstream ${upstreamName(p.pool_id, listenerId, m.member_id)}`, lines: [serverLine(m, p, down, true, primaries), ...keepalive] });
  }
  return blocks;
}
