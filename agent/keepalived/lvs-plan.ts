/**
 * What keepalived's LVS should hold for a document, in the terms the
 * heartbeat reports: per enabled UDP/SCTP listener, the virtual servers
 * (VIP, port, protocol) the renderer wrote and the pool's members, enabled or
 * not. Built from the same rules as keepalived.conf (renderers/keepalived).
 */
import type { Document } from '../../schemas/document';
import { virtualServers } from '../../renderers/keepalived/build-view';

export interface LvsListenerPlan {
  listenerId: string;
  protocol: 'UDP' | 'SCTP';
  /** `POOL:LISTENER` heartbeat key of its default pool, null without an enabled one */
  poolKey: string | null;
  services: { address: string; port: number }[];
  members: { id: string; address: string; port: number; enabled: boolean }[];
  /** an enabled health monitor checks the members (else they are "no check") */
  monitored: boolean;
}

/** The LVS listeners of a document (empty when it has none or the load balancer is disabled). */
export function lvsPlan(doc: Document): LvsListenerPlan[] {
  const lb = doc.loadbalancer;
  if (!lb.admin_state_up) return [];
  const vs = virtualServers(doc);
  const pools = new Map(lb.pools.map((p) => [p.pool_id, p] as const));
  return lb.listeners
    .filter((l) => l.admin_state_up && (l.protocol === 'UDP' || l.protocol === 'SCTP'))
    .map((l) => {
      const p = l.default_pool_id ? pools.get(l.default_pool_id) : undefined;
      const pool = p?.admin_state_up ? p : undefined;
      return {
        listenerId: l.listener_id,
        protocol: l.protocol as 'UDP' | 'SCTP',
        poolKey: pool ? `${pool.pool_id}:${l.listener_id}` : null,
        services: vs.filter((v) => v.listenerId === l.listener_id).map((v) => ({ address: v.address, port: v.port })),
        members: (pool?.members ?? []).map((m) => ({ id: m.member_id, address: m.address, port: m.protocol_port, enabled: m.admin_state_up })),
        monitored: !!pool?.healthmonitor?.admin_state_up,
      };
    });
}
