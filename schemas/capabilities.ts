/**
 * What an engine serves (the capabilities an agent reports in `GET /v1/info`)
 * and what a document asks of them. Pure, so both sides use it: the agent
 * refuses a document its engine cannot serve before rendering, and a
 * controller can say so before pushing (or before moving it to another VM).
 */
import type { Document } from './document';
import { checkNginx } from './capabilities-nginx';
import { formatPath, servedPolicies } from './raw';

/** What an engine binary can do, derived by the agent from its version (see agent/engines). */
export interface EngineCapabilities {
  engine: 'haproxy' | 'nginx';
  /** e.g. "2.6.12" */
  version: string;
  /** listener protocols the engine serves itself (UDP/SCTP go to keepalived's LVS) */
  protocols: string[];
  algorithms: string[];
  monitorTypes: string[];
  persistenceTypes: string[];
  l7RuleTypes: string[];
  /** how member-only changes (weights, admin state, members added or removed) reach the engine: its runtime API, or a reload */
  memberChanges: 'runtime' | 'reload';
  /**
   * Finer rules than the lists above: what the engine refuses of a field
   * (`field` with `[]` for every index), in words; checkCapabilities enforces
   * them. Absent: none (haproxy).
   */
  restrictions?: { field: string; rule: string }[];
}

export interface CapabilityIssue {
  path: string;
  message: string;
}

/** Every use of a protocol, algorithm, monitor, persistence or L7 rule type the engine does not serve, and of what its restrictions refuse. */
export function checkCapabilities(doc: Document, caps: EngineCapabilities): CapabilityIssue[] {
  const out: CapabilityIssue[] = [];
  const need = (list: string[], value: string, path: (string | number)[], what: string) => {
    if (!list.includes(value)) out.push({ path: formatPath(path), message: `${what} ${value} is not served by ${caps.engine} ${caps.version}` });
  };
  const lb = ['loadbalancer'];
  doc.loadbalancer.listeners.forEach((l, i) => {
    need(caps.protocols, l.protocol, [...lb, 'listeners', i, 'protocol'], 'protocol');
    servedPolicies(l).forEach((p, j) =>
      p.rules.forEach((r, k) => need(caps.l7RuleTypes, r.type, [...lb, 'listeners', i, 'l7policies', j, 'rules', k, 'type'], 'L7 rule type')),
    );
  });
  doc.loadbalancer.pools.forEach((p, i) => {
    need(caps.algorithms, p.lb_algorithm, [...lb, 'pools', i, 'lb_algorithm'], 'algorithm');
    if (p.healthmonitor) need(caps.monitorTypes, p.healthmonitor.type, [...lb, 'pools', i, 'healthmonitor', 'type'], 'monitor type');
    if (p.session_persistence) need(caps.persistenceTypes, p.session_persistence.type, [...lb, 'pools', i, 'session_persistence', 'type'], 'persistence type');
  });
  // nginx's restrictions need more than lists (which listener a pool serves, what a regex holds)
  if (caps.engine === 'nginx') out.push(...checkNginx(doc, caps.version));
  return out;
}
