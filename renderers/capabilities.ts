/** What each engine version can serve; light on purpose (no templates), the daemon loads it at start. */
import { L7_RULE_TYPES, LB_ALGORITHMS, PERSISTENCE_TYPES } from '../schemas/enums';
import type { EngineCapabilities } from './types';

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
    // haproxy's runtime API (agent/engines/haproxy-runtime.ts), where the change allows
    memberChanges: modern ? 'runtime' : 'reload',
  };
}
