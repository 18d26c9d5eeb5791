/**
 * Rules that look across objects of the document. They run on the parsed
 * document and, when parsing failed, on the raw input as well, so a user gets
 * every problem at once; hence every access here is defensive.
 */
import * as E from './enums';
import { compilesAsRegex, DN_FIELD, HTTP_TOKEN } from './patterns';

export type IssuePath = (string | number)[];
export interface RawIssue {
  path: IssuePath;
  message: string;
}

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter((x): x is Obj => !!x && typeof x === 'object') : []);
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const HTTP_LISTENERS = ['HTTP', 'TERMINATED_HTTPS'];
const COOKIE_VALUE = /^[A-Za-z0-9!#$%&'()*+\-./:<=>?@[\]^_`{|}~]+$/;

/** Checks every cross-object rule of the contract; returns issues with paths from the document root. */
export function checkCrossRules(doc: unknown): RawIssue[] {
  const out: RawIssue[] = [];
  if (!isObj(doc)) return out;
  const lb = doc.loadbalancer;
  if (isObj(lb)) checkLoadBalancer(lb, ['loadbalancer'], out);
  if (isObj(doc.amphora)) checkAmphora(doc.amphora, ['amphora'], out);
  return out;
}

function checkLoadBalancer(lb: Obj, base: IssuePath, out: RawIssue[]): void {
  const listeners = arr(lb.listeners);
  const pools = arr(lb.pools);
  const poolById = new Map<unknown, Obj>();
  const seen = new Map<string, IssuePath>();
  const unique = (kind: string, value: unknown, path: IssuePath) => {
    if (typeof value !== 'string') return;
    const k = `${kind}\0${value}`;
    const first = seen.get(k);
    if (first) out.push({ path, message: `duplicates the ${kind} id of ${formatPath(first)}` });
    else seen.set(k, path);
  };

  pools.forEach((p, i) => {
    const pp = [...base, 'pools', i];
    unique('pool', p.pool_id, [...pp, 'pool_id']);
    if (!poolById.has(p.pool_id)) poolById.set(p.pool_id, p);
    checkPool(p, pp, out, unique);
  });

  const ports = new Map<string, IssuePath>();
  const listenersOfPool = new Map<unknown, string[]>();
  const usePool = (poolId: unknown, protocol: string, path: IssuePath) => {
    const pool = poolById.get(poolId);
    if (!pool) {
      out.push({ path, message: `names pool "${String(poolId)}", which is not in loadbalancer.pools` });
      return;
    }
    const allowed = E.POOL_PROTOCOLS_FOR_LISTENER[protocol as E.ListenerProtocol];
    if (allowed && typeof pool.protocol === 'string' && !allowed.includes(pool.protocol as E.PoolProtocol)) {
      out.push({
        path,
        message: `names a ${pool.protocol} pool, which a ${protocol} listener cannot use (allowed: ${allowed.join(', ') || 'none'})`,
      });
    }
    listenersOfPool.set(poolId, [...(listenersOfPool.get(poolId) ?? []), protocol]);
  };

  listeners.forEach((l, i) => {
    const lp = [...base, 'listeners', i];
    const protocol = String(l.protocol);
    unique('listener', l.listener_id, [...lp, 'listener_id']);
    if (typeof l.protocol_port === 'number' && E.LISTENER_PROTOCOLS.includes(protocol as E.ListenerProtocol)) {
      const key = `${E.portFamily(protocol as E.ListenerProtocol)}/${l.protocol_port}`;
      const first = ports.get(key);
      if (first) out.push({ path: [...lp, 'protocol_port'], message: `is already used by ${formatPath(first)} (${key})` });
      else ports.set(key, [...lp, 'protocol_port']);
    }
    if (l.default_pool_id != null) {
      if (protocol === 'PROMETHEUS') out.push({ path: [...lp, 'default_pool_id'], message: 'must be null: a PROMETHEUS listener serves the proxy\'s own metrics' });
      else usePool(l.default_pool_id, protocol, [...lp, 'default_pool_id']);
    }
    if (isObj(l.default_pool) && l.default_pool.pool_id !== l.default_pool_id) {
      out.push({ path: [...lp, 'default_pool', 'pool_id'], message: 'must equal the listener\'s default_pool_id' });
    }
    checkListener(l, lp, out);
    arr(l.l7policies).forEach((pol, j) => {
      const pp = [...lp, 'l7policies', j];
      unique('l7policy', pol.l7policy_id, [...pp, 'l7policy_id']);
      if (!HTTP_LISTENERS.includes(protocol)) {
        out.push({ path: pp, message: `is not allowed: L7 policies need an HTTP or TERMINATED_HTTPS listener, not ${protocol}` });
      }
      checkPolicy(pol, pp, out);
      if (pol.action === 'REDIRECT_TO_POOL' && pol.redirect_pool_id != null) usePool(pol.redirect_pool_id, protocol, [...pp, 'redirect_pool_id']);
      arr(pol.rules).forEach((r, k) => {
        const rp = [...pp, 'rules', k];
        unique('l7rule', r.l7rule_id, [...rp, 'l7rule_id']);
        checkRule(r, rp, out);
        if (String(r.type).startsWith('SSL_') && protocol !== 'TERMINATED_HTTPS') {
          out.push({ path: [...rp, 'type'], message: `${String(r.type)} rules need a TERMINATED_HTTPS listener` });
        }
      });
    });
  });

  pools.forEach((p, i) => {
    const sp = p.session_persistence;
    if (!isObj(sp) || (sp.type !== 'HTTP_COOKIE' && sp.type !== 'APP_COOKIE')) return;
    const users = listenersOfPool.get(p.pool_id) ?? [];
    const nonHttp = users.find((proto) => !HTTP_LISTENERS.includes(proto));
    if (['TCP', 'HTTPS', 'UDP', 'SCTP'].includes(String(p.protocol)) || nonHttp) {
      out.push({
        path: [...base, 'pools', i, 'session_persistence', 'type'],
        message: `${String(sp.type)} persistence needs HTTP traffic, but this pool is ${String(p.protocol)}${nonHttp ? ` behind a ${nonHttp} listener` : ''}`,
      });
    }
  });
}

type Unique = (kind: string, value: unknown, path: IssuePath) => void;

function checkPool(p: Obj, pp: IssuePath, out: RawIssue[], unique: Unique): void {
  const proto = String(p.protocol);
  const lvs = proto === 'UDP' || proto === 'SCTP';
  const endpoints = new Map<string, number>();
  arr(p.members).forEach((m, j) => {
    unique('member', m.member_id, [...pp, 'members', j, 'member_id']);
    const ep = `${String(m.address)}/${String(m.protocol_port)}`;
    if (endpoints.has(ep)) out.push({ path: [...pp, 'members', j], message: `has the same address and protocol_port as members[${endpoints.get(ep)}]` });
    else endpoints.set(ep, j);
  });
  const hm = p.healthmonitor;
  if (isObj(hm)) {
    unique('healthmonitor', hm.healthmonitor_id, [...pp, 'healthmonitor', 'healthmonitor_id']);
    const t = String(hm.type);
    if (lvs && !['UDP-CONNECT', 'SCTP', 'TCP', 'HTTP'].includes(t)) {
      out.push({ path: [...pp, 'healthmonitor', 'type'], message: `must be UDP-CONNECT, SCTP, TCP or HTTP for a ${proto} pool` });
    }
    if (!lvs && (t === 'UDP-CONNECT' || t === 'SCTP')) {
      out.push({ path: [...pp, 'healthmonitor', 'type'], message: `${t} monitors are only for UDP or SCTP pools` });
    }
    if (hm.domain_name != null && hm.http_version !== 1.1) {
      out.push({ path: [...pp, 'healthmonitor', 'domain_name'], message: 'needs http_version 1.1' });
    }
    if (typeof hm.timeout === 'number' && typeof hm.delay === 'number' && hm.timeout > hm.delay) {
      out.push({ path: [...pp, 'healthmonitor', 'timeout'], message: 'must not be longer than delay' });
    }
  }
  const sp = p.session_persistence;
  if (isObj(sp)) {
    if (sp.type === 'APP_COOKIE' && (sp.cookie_name == null || sp.cookie_name === '')) {
      out.push({ path: [...pp, 'session_persistence', 'cookie_name'], message: 'is required for APP_COOKIE persistence' });
    }
    if (sp.type !== 'APP_COOKIE' && sp.cookie_name != null) {
      out.push({ path: [...pp, 'session_persistence', 'cookie_name'], message: `must be null for ${String(sp.type)} persistence` });
    }
  }
  if (lvs && (p.tls_enabled === true || p.tls_container_data != null)) {
    out.push({ path: [...pp, 'tls_enabled'], message: `TLS towards members is not possible for a ${proto} pool` });
  }
  if (p.crl_container_data != null && p.ca_tls_container_data == null) {
    out.push({ path: [...pp, 'crl_container_data'], message: 'needs ca_tls_container_data' });
  }
}

function checkListener(l: Obj, lp: IssuePath, out: RawIssue[]): void {
  const proto = String(l.protocol);
  const tls = proto === 'TERMINATED_HTTPS';
  if (tls && l.default_tls_container_data == null) {
    out.push({ path: [...lp, 'default_tls_container_data'], message: 'is required for a TERMINATED_HTTPS listener' });
  }
  if (!tls) {
    for (const k of ['default_tls_container_data', 'client_ca_tls_container_data', 'client_crl_container_data', 'tls_versions', 'tls_ciphers', 'alpn_protocols']) {
      if (l[k] != null) out.push({ path: [...lp, k], message: `must be null: only TERMINATED_HTTPS listeners terminate TLS (this one is ${proto})` });
    }
    if (arr(l.sni_container_data).length) out.push({ path: [...lp, 'sni_container_data'], message: `must be empty: only TERMINATED_HTTPS listeners terminate TLS (this one is ${proto})` });
    if (l.client_authentication != null && l.client_authentication !== 'NONE') out.push({ path: [...lp, 'client_authentication'], message: 'must be NONE unless the listener is TERMINATED_HTTPS' });
  }
  if (l.client_authentication != null && l.client_authentication !== 'NONE' && l.client_ca_tls_container_data == null) {
    out.push({ path: [...lp, 'client_ca_tls_container_data'], message: `is required when client_authentication is ${String(l.client_authentication)}` });
  }
  if (l.client_crl_container_data != null && l.client_ca_tls_container_data == null) {
    out.push({ path: [...lp, 'client_crl_container_data'], message: 'needs client_ca_tls_container_data' });
  }
  if (isObj(l.insert_headers)) {
    for (const h of Object.keys(l.insert_headers)) {
      if (h.startsWith('X-SSL-') && !tls) out.push({ path: [...lp, 'insert_headers', h], message: 'needs a TERMINATED_HTTPS listener' });
      else if (!HTTP_LISTENERS.includes(proto)) out.push({ path: [...lp, 'insert_headers', h], message: `needs an HTTP or TERMINATED_HTTPS listener, not ${proto}` });
    }
  }
}

function checkPolicy(pol: Obj, pp: IssuePath, out: RawIssue[]): void {
  const need: Record<string, string> = { REDIRECT_TO_POOL: 'redirect_pool_id', REDIRECT_TO_URL: 'redirect_url', REDIRECT_PREFIX: 'redirect_prefix' };
  const field = need[String(pol.action)];
  if (field && (pol[field] == null || pol[field] === '')) out.push({ path: [...pp, field], message: `is required for a ${String(pol.action)} policy` });
}

function checkRule(r: Obj, rp: IssuePath, out: RawIssue[]): void {
  const type = String(r.type);
  const cmp = String(r.compare_type);
  const value = typeof r.value === 'string' ? r.value : '';
  const key = r.key;
  const add = (f: string, message: string) => out.push({ path: [...rp, f], message });
  if (type === 'HEADER' || type === 'COOKIE') {
    if (key == null || key === '') add('key', `is required for a ${type} rule`);
    else if (typeof key !== 'string' || !HTTP_TOKEN.test(key)) add('key', 'must be a header or cookie name (RFC 7230 token, no quotes or "#")');
  } else if (type === 'SSL_DN_FIELD') {
    if (key == null || key === '') add('key', 'is required for an SSL_DN_FIELD rule');
    else if (typeof key !== 'string' || !DN_FIELD.test(key)) add('key', 'must be a distinguished-name field such as CN or OU');
  } else if (key != null && key !== '') {
    add('key', `must be null for a ${type} rule`);
  }
  if (cmp === 'REGEX' && value && !compilesAsRegex(value)) add('value', 'is not a valid regular expression');
  if (type === 'FILE_TYPE' && cmp !== 'REGEX' && cmp !== 'EQUAL_TO') add('compare_type', 'must be REGEX or EQUAL_TO for a FILE_TYPE rule');
  if (type === 'COOKIE' && cmp !== 'REGEX' && value && !COOKIE_VALUE.test(value)) add('value', 'must be a cookie value (no spaces, quotes, "," ";" or "\\")');
  if (type === 'SSL_CONN_HAS_CERT') {
    if (cmp !== 'EQUAL_TO') add('compare_type', 'must be EQUAL_TO for an SSL_CONN_HAS_CERT rule');
    if (value.toLowerCase() !== 'true') add('value', 'must be "True" for an SSL_CONN_HAS_CERT rule (use invert for no certificate)');
  }
  if (type === 'SSL_VERIFY_RESULT') {
    if (cmp !== 'EQUAL_TO') add('compare_type', 'must be EQUAL_TO for an SSL_VERIFY_RESULT rule');
    if (!/^\d{1,9}$/.test(value)) add('value', 'must be a non-negative integer (an OpenSSL verify result code)');
  }
}

function checkAmphora(a: Obj, ap: IssuePath, out: RawIssue[]): void {
  if (a.topology === 'ACTIVE_STANDBY') {
    if (a.role !== 'MASTER' && a.role !== 'BACKUP') out.push({ path: [...ap, 'role'], message: 'must be MASTER or BACKUP in an ACTIVE_STANDBY topology' });
    if (a.vrrp_address == null) out.push({ path: [...ap, 'vrrp_address'], message: 'is required in an ACTIVE_STANDBY topology' });
    if (arr(a.vrrp_peers).length === 0) out.push({ path: [...ap, 'vrrp_peers'], message: 'needs at least one peer in an ACTIVE_STANDBY topology' });
  } else if (a.role === 'MASTER' || a.role === 'BACKUP') {
    out.push({ path: [...ap, 'role'], message: `${String(a.role)} needs the ACTIVE_STANDBY topology` });
  }
}

/** `['loadbalancer','listeners',2,'protocol_port']` → `loadbalancer.listeners[2].protocol_port`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += (s ? '.' : '') + String(p);
  }
  return s || '(document)';
}
