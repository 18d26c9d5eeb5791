/** What each engine version can serve; light on purpose (no templates), the daemon loads it at start. */
import { L7_RULE_TYPES, LB_ALGORITHMS, PERSISTENCE_TYPES } from '../schemas/enums';
import { NGINX_PROTOCOLS } from './nginx/context';
import { NGINX_RESTRICTIONS } from '../schemas/capabilities-nginx';
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

/**
 * What nginx open source `version` serves. Written for 1.22 (Debian 12):
 * UDP, stream maps and `$ssl_client_*_legacy` need 1.18 or later, so older
 * versions serve nothing. Health monitors are the agent's own (nginx open
 * source has no active checks); PING is a TCP connect, as for haproxy. What
 * nginx cannot do as haproxy does is refused field by field (restrictions).
 */
export function nginxCapabilities(version: string): EngineCapabilities {
  const [major, minor] = version.split('.').map((n) => Number.parseInt(n, 10));
  const modern = major > 1 || (major === 1 && minor >= 18);
  return {
    engine: 'nginx',
    version,
    protocols: modern ? [...NGINX_PROTOCOLS] : [],
    algorithms: modern ? [...LB_ALGORITHMS] : [],
    monitorTypes: modern ? ['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT'] : [],
    persistenceTypes: modern ? [...PERSISTENCE_TYPES] : [],
    l7RuleTypes: modern ? [...L7_RULE_TYPES] : [],
    // nginx open source has no runtime API for its upstreams: every change reloads
    memberChanges: 'reload',
    restrictions: NGINX_RESTRICTIONS.map((r) => ({ ...r })),
  };
}
