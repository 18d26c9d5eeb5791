/** Cross-object rules of one pool: its members, health monitor, persistence and TLS, and what its listeners need of it. */
import * as E from './enums';
import { arr, checkParent, intIn, isObj, IssuePath, Obj, RawIssue, Unique, valid } from './raw';

const LVS_POOLS = ['UDP', 'SCTP'];
const LVS_MONITORS = ['UDP-CONNECT', 'SCTP', 'TCP', 'HTTP'];
const HTTP_MONITORS = ['HTTP', 'HTTPS'];
const HTTP_MONITOR_FIELDS = ['http_method', 'url_path', 'expected_codes'];

/** Rules inside one pool (ids of members and monitor go through `unique`). */
export function checkPool(p: Obj, pp: IssuePath, out: RawIssue[], unique: Unique): void {
  // rules that depend on a value the field rules refused stay quiet
  const proto = valid(E.POOL_PROTOCOLS, p.protocol);
  const lvs = !!proto && LVS_POOLS.includes(proto);
  const endpoints = new Map<string, number>();
  arr(p.members).forEach((m, j) => {
    const mp = [...pp, 'members', j];
    unique('member', m.member_id, mp, 'member_id');
    checkParent(m, 'pool_id', p.pool_id, mp, out);
    // (raw input: anything but a string and a number is the field rules' business, and String() of an object may throw)
    if (typeof m.address !== 'string' || typeof m.protocol_port !== 'number') return;
    const ep = `${m.address}/${m.protocol_port}`;
    if (endpoints.has(ep)) out.push({ path: mp, message: `has the same address and protocol_port as members[${endpoints.get(ep)}]` });
    else endpoints.set(ep, j);
  });
  if (isObj(p.healthmonitor)) checkMonitor(p.healthmonitor, [...pp, 'healthmonitor'], proto, p.pool_id, out, unique);
  const sp = p.session_persistence;
  const spType = isObj(sp) ? valid(E.PERSISTENCE_TYPES, sp.type) : undefined;
  if (isObj(sp) && spType) {
    if (spType === 'APP_COOKIE' && (sp.cookie_name == null || sp.cookie_name === '')) {
      out.push({ path: [...pp, 'session_persistence', 'cookie_name'], message: 'is required for APP_COOKIE persistence' });
    }
    if (spType !== 'APP_COOKIE' && sp.cookie_name != null) {
      out.push({ path: [...pp, 'session_persistence', 'cookie_name'], message: `must be null for ${spType} persistence` });
    }
    // as Octavia's API: cookies are refused for UDP and SCTP pools alone. Where the traffic is otherwise not HTTP
    // (a TCP or HTTPS pool, or a pool behind such a listener) Octavia takes them and its haproxy ignores them (no
    // cookie in TCP mode): the renderers serve such a pool without them
    if (lvs && spType !== 'SOURCE_IP') {
      out.push({ path: [...pp, 'session_persistence', 'type'], message: `${spType} persistence is not for ${proto} pools (SOURCE_IP is)` });
    }
  }
  if (lvs && (p.tls_enabled === true || p.tls_container_data != null)) {
    out.push({ path: [...pp, 'tls_enabled'], message: `TLS towards members is not possible for a ${proto} pool` });
  }
  if (p.crl_container_data != null && p.ca_tls_container_data == null) {
    out.push({ path: [...pp, 'crl_container_data'], message: 'needs ca_tls_container_data' });
  }
}

function checkMonitor(hm: Obj, hp: IssuePath, poolProto: E.PoolProtocol | undefined, poolId: unknown, out: RawIssue[], unique: Unique): void {
  unique('healthmonitor', hm.healthmonitor_id, hp, 'healthmonitor_id');
  checkParent(hm, 'pool_id', poolId, hp, out);
  const t = valid(E.MONITOR_TYPES, hm.type);
  if (!t) return;
  const lvs = !!poolProto && LVS_POOLS.includes(poolProto);
  if (lvs && !LVS_MONITORS.includes(t)) {
    out.push({ path: [...hp, 'type'], message: `must be UDP-CONNECT, SCTP, TCP or HTTP for a ${poolProto} pool` });
  }
  if (poolProto && !lvs && (t === 'UDP-CONNECT' || t === 'SCTP')) {
    out.push({ path: [...hp, 'type'], message: `${t} monitors are only for UDP or SCTP pools` });
  }
  if (!HTTP_MONITORS.includes(t)) {
    for (const f of HTTP_MONITOR_FIELDS) {
      if (hm[f] != null) out.push({ path: [...hp, f], message: `must be null for a ${t} monitor (HTTP and HTTPS monitors only)` });
    }
  }
  const version = hm.http_version == null ? 1.0 : valid([1.0, 1.1], hm.http_version);
  if (hm.domain_name != null && version === 1.0) {
    out.push({ path: [...hp, 'domain_name'], message: 'needs http_version 1.1' });
  }
  if (intIn(hm.timeout, 1, 86400) && intIn(hm.delay, 1, 86400) && hm.timeout > hm.delay) {
    out.push({ path: [...hp, 'timeout'], message: 'must not be longer than delay' });
  }
}
