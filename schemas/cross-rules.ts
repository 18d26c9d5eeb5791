/**
 * Rules that look across objects of the document. They run on the raw input
 * (before defaults), whether or not the field rules passed, so a user gets
 * every problem at once; hence every access here is defensive, and "absent"
 * and null mean the field's default.
 */
import * as E from './enums';
import { checkPool } from './cross-rules-pool';
import { checkPolicy, checkPolicyPositions, checkRule } from './cross-rules-l7';
import { ipFamily } from './patterns';
import { arr, checkParent, formatPath, HTTP_LISTENERS, intIn, isObj, IssuePath, Obj, RawIssue, Unique, valid } from './raw';

export type { IssuePath, RawIssue } from './raw';
export { formatPath } from './raw';

/** Checks every cross-object rule of the contract; returns issues with paths from the document root. */
export function checkCrossRules(doc: unknown): RawIssue[] {
  const out: RawIssue[] = [];
  if (!isObj(doc)) return out;
  if (isObj(doc.loadbalancer)) checkLoadBalancer(doc.loadbalancer, ['loadbalancer'], out);
  if (isObj(doc.amphora)) checkAmphora(doc.amphora, ['amphora'], out);
  return out;
}

function checkLoadBalancer(lb: Obj, base: IssuePath, out: RawIssue[]): void {
  const listeners = arr(lb.listeners);
  const pools = arr(lb.pools);
  const poolById = new Map<unknown, Obj>();
  // ids are the bulk of a large document: one map per kind, holding only an index into `parents`
  const seenByKind = new Map<string, Map<string, number>>();
  const parents: IssuePath[] = [];
  const unique: Unique = (kind, value, parent, field) => {
    if (typeof value !== 'string') return;
    let seen = seenByKind.get(kind);
    if (!seen) seenByKind.set(kind, (seen = new Map()));
    const first = seen.get(value);
    if (first !== undefined) out.push({ path: [...parent, field], message: `duplicates the ${kind} id of ${formatPath([...parents[first], field])}` });
    else seen.set(value, parents.push(parent) - 1);
  };
  const familyOf = (v: unknown) => (typeof v === 'string' ? ipFamily(v) : 0);
  const vipFamilies = new Set<number>([familyOf(lb.vip_address), ...arr(lb.additional_vips).map((v) => familyOf(v.ip_address))]);
  // a VIP the field rules refused leaves the families unknown
  const vipsKnown = !vipFamilies.has(0);

  pools.forEach((p, i) => {
    const pp = [...base, 'pools', i];
    unique('pool', p.pool_id, pp, 'pool_id');
    if (!poolById.has(p.pool_id)) poolById.set(p.pool_id, p);
    checkParent(p, 'loadbalancer_id', lb.loadbalancer_id, pp, out);
    checkPool(p, pp, out, unique);
  });

  const ports = new Map<string, IssuePath>();
  const usePool = (poolId: unknown, protocol: E.ListenerProtocol | undefined, path: IssuePath) => {
    if (typeof poolId !== 'string') return; // the field rules refuse it
    const pool = poolById.get(poolId);
    if (!pool) {
      out.push({ path, message: `names pool ${JSON.stringify(poolId)}, which is not in loadbalancer.pools` });
      return;
    }
    if (!protocol) return;
    const allowed = E.POOL_PROTOCOLS_FOR_LISTENER[protocol];
    const poolProtocol = valid(E.POOL_PROTOCOLS, pool.protocol);
    if (poolProtocol && !allowed.includes(poolProtocol)) {
      out.push({
        path,
        message: `names a ${poolProtocol} pool, which a ${protocol} listener cannot use (allowed: ${allowed.join(', ') || 'none'})`,
      });
    }
  };

  listeners.forEach((l, i) => {
    const lp = [...base, 'listeners', i];
    // rules that depend on the protocol stay quiet when the field rules refused it
    const protocol = valid(E.LISTENER_PROTOCOLS, l.protocol);
    unique('listener', l.listener_id, lp, 'listener_id');
    checkParent(l, 'loadbalancer_id', lb.loadbalancer_id, lp, out);
    if (protocol && intIn(l.protocol_port, 1, 65535)) {
      const key = `${E.portFamily(protocol)}/${l.protocol_port}`;
      const first = ports.get(key);
      if (first) out.push({ path: [...lp, 'protocol_port'], message: `is already used by ${formatPath(first)} (${key})` });
      else ports.set(key, [...lp, 'protocol_port']);
    }
    if (l.default_pool_id != null) {
      if (protocol === 'PROMETHEUS') out.push({ path: [...lp, 'default_pool_id'], message: "must be null: a PROMETHEUS listener serves the proxy's own metrics" });
      else usePool(l.default_pool_id, protocol, [...lp, 'default_pool_id']);
    }
    if (isObj(l.default_pool) && l.default_pool.pool_id !== l.default_pool_id) {
      out.push({ path: [...lp, 'default_pool', 'pool_id'], message: "must equal the listener's default_pool_id" });
    }
    if (Array.isArray(l.allowed_cidrs)) {
      l.allowed_cidrs.forEach((c, k) => {
        const fam = typeof c === 'string' ? ipFamily(c) : 0;
        if (fam && vipsKnown && !vipFamilies.has(fam)) out.push({ path: [...lp, 'allowed_cidrs', k], message: `is IPv${fam}, but the load balancer has no IPv${fam} VIP` });
      });
    }
    if (protocol) checkListener(l, protocol, lp, out);
    const policies = arr(l.l7policies);
    checkPolicyPositions(policies, lp, out);
    policies.forEach((pol, j) => {
      const pp = [...lp, 'l7policies', j];
      unique('l7policy', pol.l7policy_id, pp, 'l7policy_id');
      checkParent(pol, 'listener_id', l.listener_id, pp, out);
      // Octavia's API refuses them on PROMETHEUS listeners alone; on TCP, HTTPS, UDP and SCTP listeners it takes
      // them and its amphora serves the listener without them (haproxy ignores HTTP rules in a TCP frontend, LVS
      // has none): the agent serves such a listener as if it had none (raw.ts servedPolicies)
      if (protocol === 'PROMETHEUS') {
        out.push({ path: pp, message: 'is not allowed: a PROMETHEUS listener takes no L7 policies' });
      }
      checkPolicy(pol, pp, out);
      if (pol.action === 'REDIRECT_TO_POOL' && pol.redirect_pool_id != null) usePool(pol.redirect_pool_id, protocol, [...pp, 'redirect_pool_id']);
      arr(pol.rules).forEach((r, k) => {
        const rp = [...pp, 'rules', k];
        unique('l7rule', r.l7rule_id, rp, 'l7rule_id');
        checkParent(r, 'l7policy_id', pol.l7policy_id, rp, out);
        // an SSL_* rule on an HTTP listener looks at a connection without TLS: it never matches (`invert`: always),
        // as in Octavia's amphora, whose API takes it
        checkRule(r, rp, out);
      });
    });
  });
}

const TLS_ONLY = ['default_tls_container_data', 'client_ca_tls_container_data', 'client_crl_container_data', 'tls_versions', 'tls_ciphers', 'alpn_protocols'];

function checkListener(l: Obj, proto: E.ListenerProtocol, lp: IssuePath, out: RawIssue[]): void {
  const tls = proto === 'TERMINATED_HTTPS';
  if (tls && l.default_tls_container_data == null) {
    out.push({ path: [...lp, 'default_tls_container_data'], message: 'is required for a TERMINATED_HTTPS listener' });
  }
  if (!tls) {
    for (const k of TLS_ONLY) {
      if (l[k] != null) out.push({ path: [...lp, k], message: `must be null: only TERMINATED_HTTPS listeners terminate TLS (this one is ${proto})` });
    }
    if (arr(l.sni_container_data).length) out.push({ path: [...lp, 'sni_container_data'], message: `must be empty: only TERMINATED_HTTPS listeners terminate TLS (this one is ${proto})` });
    if (valid(E.CLIENT_AUTH_MODES, l.client_authentication) && l.client_authentication !== 'NONE') out.push({ path: [...lp, 'client_authentication'], message: 'must be NONE unless the listener is TERMINATED_HTTPS' });
  }
  const auth = valid(E.CLIENT_AUTH_MODES, l.client_authentication);
  if (auth && auth !== 'NONE' && l.client_ca_tls_container_data == null) {
    out.push({ path: [...lp, 'client_ca_tls_container_data'], message: `is required when client_authentication is ${auth}` });
  }
  if (l.client_crl_container_data != null && l.client_ca_tls_container_data == null) {
    out.push({ path: [...lp, 'client_crl_container_data'], message: 'needs client_ca_tls_container_data' });
  }
  checkHsts(l, proto, lp, out);
  if (isObj(l.insert_headers)) {
    for (const h of Object.keys(l.insert_headers)) {
      if (!HTTP_LISTENERS.includes(proto)) out.push({ path: [...lp, 'insert_headers', h], message: `needs an HTTP or TERMINATED_HTTPS listener, not ${proto}` });
      else if (h.startsWith('X-SSL-') && !tls) out.push({ path: [...lp, 'insert_headers', h], message: 'needs a TERMINATED_HTTPS listener' });
    }
  }
}

/** HSTS as Octavia's listener API allows it: a max-age on TERMINATED_HTTPS only, and the flags only with a max-age. */
function checkHsts(l: Obj, proto: E.ListenerProtocol, lp: IssuePath, out: RawIssue[]): void {
  const maxAge = l.hsts_max_age;
  if (maxAge != null && proto !== 'TERMINATED_HTTPS') {
    out.push({ path: [...lp, 'hsts_max_age'], message: `must be null: HSTS needs a TERMINATED_HTTPS listener (this one is ${proto})` });
  }
  if (maxAge != null) return;
  for (const k of ['hsts_include_subdomains', 'hsts_preload']) {
    if (l[k] === true) out.push({ path: [...lp, k], message: 'must be false unless hsts_max_age is set' });
  }
}

function checkAmphora(a: Obj, ap: IssuePath, out: RawIssue[]): void {
  // a topology or role the field rules refused leaves the pairing rules nothing to say
  const topology = a.topology == null ? 'SINGLE' : valid(E.TOPOLOGIES, a.topology);
  const role = a.role == null ? 'STANDALONE' : valid(E.AMPHORA_ROLES, a.role);
  if (topology === 'ACTIVE_STANDBY') {
    if (role && role !== 'MASTER' && role !== 'BACKUP') out.push({ path: [...ap, 'role'], message: 'must be MASTER or BACKUP in an ACTIVE_STANDBY topology' });
    if (a.vrrp_address == null) out.push({ path: [...ap, 'vrrp_address'], message: 'is required in an ACTIVE_STANDBY topology' });
    if (arr(a.vrrp_peers).length === 0) out.push({ path: [...ap, 'vrrp_peers'], message: 'needs at least one peer in an ACTIVE_STANDBY topology' });
  } else if (topology && (role === 'MASTER' || role === 'BACKUP')) {
    out.push({ path: [...ap, 'role'], message: `${role} needs the ACTIVE_STANDBY topology` });
  }
  arr(a.vrrp_peers).forEach((p, i) => {
    if (p.address != null && p.address === a.vrrp_address) out.push({ path: [...ap, 'vrrp_peers', i, 'address'], message: "must differ from this amphora's vrrp_address" });
    else if (typeof p.address === 'string' && typeof a.vrrp_address === 'string' && ipFamily(p.address) && ipFamily(a.vrrp_address) && ipFamily(p.address) !== ipFamily(a.vrrp_address)) {
      // keepalived's unicast peers share the family of its source address
      out.push({ path: [...ap, 'vrrp_peers', i, 'address'], message: `must be IPv${ipFamily(a.vrrp_address)} like vrrp_address` });
    }
    if (p.id != null && p.id === a.id) out.push({ path: [...ap, 'vrrp_peers', i, 'id'], message: "must differ from this amphora's id" });
  });
}
