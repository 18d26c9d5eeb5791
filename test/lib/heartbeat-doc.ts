/**
 * A minimal serve plan for heartbeat tests: the listeners (protocol, admin
 * state) and the pool keys (`POOL_ID:LISTENER_ID`) an applied configuration
 * serves, as the renderer's plan says them.
 */
import type { ServePlan } from '../../renderers/types';

export interface DocListener {
  id: string;
  protocol?: string;
  enabled?: boolean;
}

/** The plan of these listeners and pools (`POOL_ID:LISTENER_ID` to member ids): enabled TCP-family listeners are the engine's, UDP/SCTP keepalived's. */
export function heartbeatPlan(listeners: DocListener[], pools: Record<string, string[]>): ServePlan {
  const enabled = listeners.filter((l) => l.enabled ?? true);
  const lvs = (l: DocListener) => l.protocol === 'UDP' || l.protocol === 'SCTP';
  return {
    reported: enabled.map((l) => l.id),
    engine: enabled.filter((l) => !lvs(l)).map((l) => ({ id: l.id, binds: [] })),
    lvs: enabled.filter(lvs).map((l) => l.id),
    pools: Object.entries(pools).map(([key, ids]) => ({
      key, poolId: key.split(':')[0], listenerId: key.split(':')[1], algorithm: 'ROUND_ROBIN', persistence: null,
      members: ids.map((id) => ({ id, address: '192.0.2.1', port: 80, weight: 1, enabled: true, spec: '192.0.2.1:80 weight 1' })),
    })),
    otherBinds: [],
  };
}
