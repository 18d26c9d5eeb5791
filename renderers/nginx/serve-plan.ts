/**
 * What nginx serves with a rendered set (renderers/types.ts ServePlan): the
 * listeners it binds (UDP ones too: nginx proxies them itself), the pools of
 * each listener (its default pool and its L7 redirect pools) with their
 * members as their `server` lines say. Read by verification, the reload
 * diagnosis, the heartbeat and the details.
 */
import type { Document, Pool } from '../../schemas';
import type { ServePlan } from '../types';
import { orderedPolicies } from './build-l7';
import { serverLine } from './build-upstream';
import { nginxListeners } from './context';

/** The serve plan of `doc` on `vips`, with the members `down` holds DOWN rendered so. */
export function nginxServePlan(doc: Document, vips: readonly string[], down: ReadonlySet<string>): ServePlan {
  const pools = new Map(doc.loadbalancer.pools.map((p) => [p.pool_id, p] as const));
  const served = nginxListeners(doc);
  return {
    reported: doc.loadbalancer.listeners.filter((l) => l.admin_state_up).map((l) => l.listener_id),
    engine: served.map((l) => ({ id: l.listener_id, binds: vips.map((host) => ({ host, port: l.protocol_port })), ...(l.protocol === 'UDP' ? { udp: true } : {}) })),
    // nginx serves UDP itself; SCTP is refused
    lvs: [],
    pools: served.flatMap((l) => {
      const ids = new Set<string>(l.default_pool_id ? [l.default_pool_id] : []);
      // the pools of served policies (orderedPolicies: an HTTP listener's)
      for (const p of orderedPolicies(l)) if (p.action === 'REDIRECT_TO_POOL' && p.redirect_pool_id) ids.add(p.redirect_pool_id);
      return [...ids].map((id) => pools.get(id)).filter((p): p is Pool => !!p).map((p) => {
        const primaries = p.members.some((m) => !m.backup);
        return {
          key: `${p.pool_id}:${l.listener_id}`, poolId: p.pool_id, listenerId: l.listener_id, algorithm: p.lb_algorithm,
          persistence: p.session_persistence?.type ?? null,
          members: p.members.map((m) => ({
            id: m.member_id, address: m.address, port: m.protocol_port, weight: m.weight, enabled: m.admin_state_up && p.admin_state_up,
            spec: serverLine(m, p, down, false, primaries),
          })),
        };
      });
    }),
    otherBinds: [],
  };
}
