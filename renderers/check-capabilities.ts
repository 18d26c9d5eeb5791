/**
 * What a document asks of the engine that its capabilities lack, as
 * `{path, message}` with the document's own keys: the agent can refuse such a
 * document before rendering (the renderer itself assumes haproxy 2.6).
 */
import { formatPath, type Document } from '../schemas';
import { checkNginx } from './nginx/refusals';
import type { EngineCapabilities } from './types';

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
    l.l7policies.forEach((p, j) =>
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
