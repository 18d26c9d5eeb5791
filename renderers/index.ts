/** The renderers by engine, and what each engine version can do. */
import { L7_RULE_TYPES, LB_ALGORITHMS, PERSISTENCE_TYPES } from '../schemas';
import { renderHaproxy } from './haproxy';
import type { EngineCapabilities, RenderFn } from './types';

export type { EngineCapabilities, RenderContext, RenderFn, RenderOutput } from './types';
export { renderHaproxy } from './haproxy';
export { renderKeepalived } from './keepalived';
export { checkCapabilities, type CapabilityIssue } from './check-capabilities';

/** Every renderer by engine name. */
export const renderers: Record<'haproxy', RenderFn> = { haproxy: renderHaproxy };

/**
 * What haproxy `version` serves (with keepalived beside it for UDP/SCTP).
 * Written for 2.6: `balance hash` (SOURCE_IP_PORT), `http-check send` and the
 * prometheus exporter all need 2.4 or later, so older versions lose them.
 */
export function haproxyCapabilities(version: string): EngineCapabilities {
  const [major, minor] = version.split('.').map((n) => Number.parseInt(n, 10));
  const atLeast = (a: number, b: number) => major > a || (major === a && minor >= b);
  const modern = atLeast(2, 6);
  return {
    engine: 'haproxy',
    version,
    protocols: ['HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'TCP', 'UDP', 'SCTP', ...(modern ? ['PROMETHEUS'] : [])],
    algorithms: LB_ALGORITHMS.filter((a) => modern || a !== 'SOURCE_IP_PORT'),
    monitorTypes: modern ? ['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT', 'SCTP'] : ['TCP', 'PING', 'TLS-HELLO', 'UDP-CONNECT', 'SCTP'],
    persistenceTypes: [...PERSISTENCE_TYPES],
    l7RuleTypes: [...L7_RULE_TYPES],
  };
}
