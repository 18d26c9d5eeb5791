/**
 * The heartbeat's reading of an nginx VM, in Octavia's words: listeners
 * OPEN when nginx has every address bound (else DOWN) with their current
 * connections from /proc/net and their totals from nginx's access log;
 * pools by `POOL_ID:LISTENER_ID` with their members as the agent's monitors
 * see them (MAINT when disabled, DRAIN at weight 0, "no check" without a
 * monitor), as haproxy's stats would say.
 */
import type { Document, Member, Pool } from '../../schemas/document';
import type { MemberStatus, PoolStatus } from '../../schemas/heartbeat/message';
import { nginxListeners } from '../../renderers/nginx/context';
import { endpointKey, snapshot, unbound, type ProcNetReader } from '../engines/proc-net';
import type { EngineReading } from './collector';
import type { NginxLogReceiver } from './nginx-log';

/** A member's word: admin state first, then the monitor (null: not checked), then weight. */
export function nginxMemberStatus(m: Member, p: Pool, checked: 'UP' | 'DOWN' | null): MemberStatus {
  if (!m.admin_state_up || !p.admin_state_up) return 'MAINT';
  if (checked === 'DOWN') return 'DOWN';
  if (checked === null) return 'no check';
  return m.weight === 0 ? 'DRAIN' : 'UP';
}

/** UP when a member takes traffic (UP or not checked); an empty pool is UP, as haproxy's empty backend. */
export function nginxPoolStatus(members: Record<string, MemberStatus>): PoolStatus {
  const list = Object.values(members);
  return list.length === 0 || list.some((s) => s === 'UP' || s === 'no check') ? 'UP' : 'DOWN';
}

/** Builds the reading of `doc` as nginx serves it now. */
export function nginxReading(doc: Document, log: NginxLogReceiver, checked: (memberId: string) => 'UP' | 'DOWN' | null, read?: ProcNetReader): EngineReading {
  const lb = doc.loadbalancer;
  const vips = [...new Set([lb.vip_address, ...lb.additional_vips.map((v) => v.ip_address)])];
  const pools = new Map(lb.pools.map((p) => [p.pool_id, p] as const));
  const net = snapshot(read);
  const reading: EngineReading = { engine: log.current(), listeners: new Map(), pools: new Map(), totals: {} };
  for (const l of nginxListeners(doc)) {
    const udp = l.protocol === 'UDP';
    const eps = vips.map((ip) => ({ ip, port: l.protocol_port, udp }));
    const open = unbound(eps, net).length === 0;
    reading.listeners.set(l.listener_id, { status: open ? 'OPEN' : 'DOWN', conns: udp ? 0 : eps.reduce((n, e) => n + (net.established.get(endpointKey(e)) ?? 0), 0) });
    reading.totals[l.listener_id] = log.totalsOf(`${udp ? 'udp' : 'tcp'}/${l.protocol_port}`);
    const ids = new Set([l.default_pool_id, ...l.l7policies.filter((p) => p.admin_state_up && p.action === 'REDIRECT_TO_POOL').map((p) => p.redirect_pool_id)]);
    for (const id of ids) {
      const p = id ? pools.get(id) : undefined;
      if (!p) continue;
      const members: Record<string, MemberStatus> = {};
      for (const m of p.members) members[m.member_id] = nginxMemberStatus(m, p, checked(m.member_id));
      reading.pools.set(`${p.pool_id}:${l.listener_id}`, { status: nginxPoolStatus(members), members });
    }
  }
  return reading;
}
