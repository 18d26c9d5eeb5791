/**
 * What the agent's monitors check in a document: each member of a pool that
 * nginx serves (a listener's default pool or an L7 redirect pool), whose pool
 * has an enabled monitor, with the monitor's check and timing.
 */
import type { Document, HealthMonitor, Pool } from '../../schemas/document';
import { nginxListeners } from '../../renderers/nginx/context';
import type { HttpCheck, ProbeTarget } from './probes';

export interface CheckTarget {
  memberId: string;
  poolId: string;
  kind: 'http' | 'https' | 'tcp' | 'tls' | 'udp';
  target: ProbeTarget;
  http: HttpCheck | null;
  delayMs: number;
  timeoutMs: number;
  /** successes to go up (max_retries) and failures to go down (max_retries_down) */
  rise: number;
  fall: number;
  /** what must not change for a remembered state to still hold (where and how it is checked) */
  key: string;
}

const KIND: Record<string, CheckTarget['kind'] | undefined> = { HTTP: 'http', HTTPS: 'https', TCP: 'tcp', PING: 'tcp', 'TLS-HELLO': 'tls', 'UDP-CONNECT': 'udp' };

function httpCheck(hm: HealthMonitor): HttpCheck {
  return { method: hm.http_method, path: hm.url_path, version: hm.http_version === 1.1 ? 1.1 : 1.0, host: hm.domain_name, expected: hm.expected_codes };
}

/** Pools nginx serves for `doc`: default pools and L7 redirect pools of the listeners it serves. */
export function servedPools(doc: Document): Pool[] {
  const ids = new Set<string>();
  for (const l of nginxListeners(doc)) {
    if (l.default_pool_id) ids.add(l.default_pool_id);
    for (const p of l.l7policies) if (p.admin_state_up && p.action === 'REDIRECT_TO_POOL' && p.redirect_pool_id) ids.add(p.redirect_pool_id);
  }
  return doc.loadbalancer.pools.filter((p) => ids.has(p.pool_id));
}

/** Every member to check, with how. Members of disabled pools, and disabled members, are not checked (MAINT). */
export function checkTargets(doc: Document): CheckTarget[] {
  const out: CheckTarget[] = [];
  for (const p of servedPools(doc)) {
    const hm = p.healthmonitor;
    const kind = hm?.admin_state_up && p.admin_state_up ? KIND[hm.type] : undefined;
    if (!hm || !kind) continue;
    for (const m of p.members.filter((x) => x.admin_state_up)) {
      const target = { address: m.monitor_address ?? m.address, port: m.monitor_port ?? m.protocol_port };
      const http = kind === 'http' || kind === 'https' ? httpCheck(hm) : null;
      out.push({
        memberId: m.member_id, poolId: p.pool_id, kind, target, http,
        delayMs: hm.delay * 1000, timeoutMs: hm.timeout * 1000, rise: hm.max_retries, fall: hm.max_retries_down,
        key: JSON.stringify([kind, target, http]),
      });
    }
  }
  return out;
}
