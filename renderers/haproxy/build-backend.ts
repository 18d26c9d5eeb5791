/**
 * One backend per listener–pool pair, named `POOL_ID:LISTENER_ID` as Octavia
 * names them (the heartbeat maps haproxy's stats back to ids by these names).
 */
import type { HealthMonitor, Listener, Member, Pool, SessionPersistence } from '../../schemas';
import { haproxyFetchArg, haproxyQuote, haproxyWord } from '../escape';
import { poolServerTls, type FileSink } from './build-tls';
import { balanceFor, expectedCodesCheck, formatAddress, formatDuration, netmaskToPrefix } from './helpers';
import type { BackendView, ServerView } from './view-model';

/** A server as its haproxy directive. */
export function serverLine(s: ServerView): string {
  return `server ${s.name} ${s.address} ${s.params}`;
}

/** Entries of each stick table (Octavia's default size). */
export const STICK_TABLE_SIZE = '10k';

/** `POOL_ID:LISTENER_ID`. */
export function backendName(poolId: string, listenerId: string): string {
  return `${haproxyWord(poolId, 'a pool_id')}:${haproxyWord(listenerId, 'a listener_id')}`;
}

/** True for listeners whose traffic haproxy parses as HTTP. */
export function isHttpMode(l: Listener): boolean {
  return l.protocol === 'HTTP' || l.protocol === 'TERMINATED_HTTPS' || l.protocol === 'PROMETHEUS';
}

/** What every backend of a document shares. */
export interface BackendOptions {
  /** a VIP is IPv6: source stick tables hold IPv6 keys */
  ipv6: boolean;
  /** `peers` section stick tables sync with (ACTIVE_STANDBY), or null */
  peers: string | null;
}

/**
 * The persistence pool `p` is served with in a backend of this mode: cookies
 * exist only where haproxy parses HTTP, so in TCP mode (where haproxy would
 * ignore them) a cookie persistence is not served.
 */
export function servedPersistence(p: Pool, http: boolean): SessionPersistence['type'] | null {
  const type = p.session_persistence?.type ?? null;
  return type === 'SOURCE_IP' || http ? type : null;
}

function persistence(p: Pool, o: BackendOptions, http: boolean): string[] {
  const sp = p.session_persistence;
  if (!sp || !servedPersistence(p, http)) return [];
  const expire = `expire ${sp.persistence_timeout}s${o.peers ? ` peers ${o.peers}` : ''}`;
  switch (sp.type) {
    case 'SOURCE_IP': {
      const prefix = netmaskToPrefix(sp.persistence_granularity);
      const mask = prefix !== null && prefix < 32 ? `,ipmask(${prefix})` : '';
      return [`stick-table type ${o.ipv6 ? 'ipv6' : 'ip'} size ${STICK_TABLE_SIZE} ${expire}`, `stick on src${mask}`];
    }
    case 'HTTP_COOKIE':
      return [`cookie SRV insert indirect nocache maxidle ${sp.persistence_timeout}s`];
    case 'APP_COOKIE': {
      const name = haproxyFetchArg(sp.cookie_name ?? '', 'a cookie_name');
      return [
        `stick-table type string len 64 size ${STICK_TABLE_SIZE} ${expire}`,
        `stick store-response res.cook(${name})`,
        `stick match req.cook(${name})`,
      ];
    }
  }
}

function checkDirectives(hm: HealthMonitor): string[] {
  const out = [`timeout check ${hm.timeout}s`];
  if (hm.type === 'HTTP' || hm.type === 'HTTPS') {
    const send = [`http-check send meth ${hm.http_method} uri ${haproxyQuote(hm.url_path)}`, `ver HTTP/${hm.http_version === 1.1 ? '1.1' : '1.0'}`];
    if (hm.http_version === 1.1 && hm.domain_name) send.push(`hdr Host ${haproxyWord(hm.domain_name, 'a domain_name')}`);
    out.push('option httpchk', send.join(' '), `http-check expect ${expectedCodesCheck(hm.expected_codes)}`);
  } else if (hm.type === 'TLS-HELLO') {
    out.push('option ssl-hello-chk');
  }
  // TCP, and PING (haproxy cannot send ICMP; see README of this folder): a plain connect check
  return out;
}

const INSERT_HEADERS: Record<string, string[]> = {
  'X-Forwarded-For': ['option forwardfor'],
  'X-Forwarded-Port': ['http-request set-header X-Forwarded-Port %[dst_port]'],
  'X-Forwarded-Proto': ['http-request set-header X-Forwarded-Proto https if { ssl_fc }', 'http-request set-header X-Forwarded-Proto http if !{ ssl_fc }'],
  'X-SSL-Client-Verify': ['http-request set-header X-SSL-Client-Verify %[ssl_c_verify]'],
  'X-SSL-Client-Has-Cert': ['http-request set-header X-SSL-Client-Has-Cert %[ssl_c_used]'],
  'X-SSL-Client-DN': ['http-request set-header X-SSL-Client-DN %{+Q}[ssl_c_s_dn]'],
  'X-SSL-Client-CN': ['http-request set-header X-SSL-Client-CN %{+Q}[ssl_c_s_dn(cn)]'],
  'X-SSL-Issuer': ['http-request set-header X-SSL-Issuer %{+Q}[ssl_c_i_dn]'],
  'X-SSL-Client-SHA1': ['http-request set-header X-SSL-Client-SHA1 %{+Q}[ssl_c_sha1,hex]'],
  'X-SSL-Client-Not-Before': ['http-request set-header X-SSL-Client-Not-Before %{+Q}[ssl_c_notbefore]'],
  'X-SSL-Client-Not-After': ['http-request set-header X-SSL-Client-Not-After %{+Q}[ssl_c_notafter]'],
};

/** Directives for the listener's enabled `insert_headers`, in the contract's order. */
export function headerDirectives(l: Listener): string[] {
  if (l.protocol !== 'HTTP' && l.protocol !== 'TERMINATED_HTTPS') return [];
  return Object.keys(INSERT_HEADERS).filter((h) => l.insert_headers[h as keyof typeof l.insert_headers] === true).flatMap((h) => INSERT_HEADERS[h]);
}

function server(m: Member, p: Pool, checks: HealthMonitor | null, tls: string[], http: boolean): ServerView {
  const params = [`weight ${m.weight}`];
  if (checks) {
    params.push('check', `inter ${checks.delay}s`, `fall ${checks.max_retries_down}`, `rise ${checks.max_retries}`);
    if (m.monitor_address) params.push('addr', haproxyWord(m.monitor_address, 'a monitor_address'));
    if (m.monitor_port) params.push('port', String(m.monitor_port));
    if (checks.type === 'HTTPS') params.push('check-ssl', ...(p.tls_enabled ? [] : ['verify', 'none']));
  }
  if (servedPersistence(p, http) === 'HTTP_COOKIE') params.push('cookie', haproxyWord(m.member_id, 'a member_id'));
  if (p.protocol === 'PROXY') params.push('send-proxy');
  if (p.protocol === 'PROXYV2') params.push('send-proxy-v2');
  params.push(...tls);
  if (m.backup) params.push('backup');
  // a disabled pool keeps its servers (the heartbeat reports them) but serves nothing: 503
  if (!m.admin_state_up || !p.admin_state_up) params.push('disabled');
  return { name: haproxyWord(m.member_id, 'a member_id'), address: formatAddress(m.address, m.protocol_port), params: params.join(' ') };
}

/** The backend serving pool `p` for listener `l`; TLS files go into `sink`. */
export function buildBackend(l: Listener, p: Pool, o: BackendOptions, sink: FileSink): BackendView {
  const hm = p.healthmonitor && p.healthmonitor.admin_state_up ? p.healthmonitor : null;
  const directives: string[] = [];
  // SOURCE_IP_PORT: haproxy has no built-in address+port balance; hash both (see helpers.balanceFor)
  if (p.lb_algorithm === 'SOURCE_IP_PORT') directives.push('tcp-request content set-var(txn.lb_src_port) src_port');
  const http = isHttpMode(l);
  directives.push(...persistence(p, o, http));
  if (hm) directives.push(...checkDirectives(hm));
  if (p.members.some((m) => m.backup)) directives.push('option allbackups');
  if (http) directives.push(...headerDirectives(l));
  const tls = poolServerTls(p, sink);
  const views = p.members.map((m) => server(m, p, hm, tls, http));
  return {
    name: backendName(p.pool_id, l.listener_id),
    mode: http ? 'http' : 'tcp',
    balance: balanceFor(p.lb_algorithm),
    directives,
    timeoutConnect: formatDuration(l.timeout_member_connect),
    timeoutServer: formatDuration(l.timeout_member_data),
    servers: views.map(serverLine),
    members: p.members.map((m, i) => ({
      id: m.member_id, address: m.address, port: m.protocol_port, weight: m.weight,
      enabled: m.admin_state_up && p.admin_state_up, spec: `${views[i].address} ${views[i].params}`,
    })),
  };
}
