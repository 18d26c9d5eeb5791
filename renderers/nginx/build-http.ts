/**
 * The `http` servers of an HTTP or TERMINATED_HTTPS listener: one server
 * block per certificate (the default first, then each SNI certificate by its
 * names), all with the same body. `location /` runs the L7 election and
 * rewrites to one internal location per pool (`= amph-pool-K`, a URI no
 * client can send: it lacks the leading `/`), so each pool keeps its own TLS
 * and persistence settings; `$request_uri` hands the member the request as
 * the client sent it.
 */
import type { Listener, Pool } from '../../schemas';
import { buildElection } from './build-l7';
import { cookiePersistence } from './persistence';
import { listenerCertificates, listenerTlsLines, poolTlsLines, serverNameWord, type FileSink } from './build-tls';
import { buildUpstreams, poolAvailable, upstreamName } from './build-upstream';
import { proxyHeaderLines } from './headers';
import { hstsHeaderValue } from '../hsts';
import { formatAddress, formatTime } from './helpers';
import { nginxQuoteText, nginxWord } from './quote';
import type { BlockRegistry } from './registry';
import type { BlockView, LocationView, ServerView } from './view-model';

/** What every listener of a document shares. */
export interface ListenerOptions {
  vips: string[];
  pools: ReadonlyMap<string, Pool>;
  /** members the agent's monitors hold DOWN */
  down: ReadonlySet<string>;
  /** the access_log directive (heartbeat counters), or null */
  accessLog: string | null;
  /** connections one worker takes (`worker_connections`): a connection_limit above it is capped */
  maxConn: number;
  /** the drain flag's absolute path, a checked nginx word (context.ts DRAIN_FILE) */
  drainFile: string;
}

function hstsLines(l: Listener): string[] {
  const value = hstsHeaderValue(l);
  // replaced, not added beside a member's own header (haproxy's set-header)
  return value ? ['proxy_hide_header Strict-Transport-Security;', `add_header Strict-Transport-Security ${nginxQuoteText(value)} always;`] : [];
}

const poolUri = (k: number) => `amph-pool-${k}`;
/** The internal location a request goes through while the agent drains before a reload (a URI no client can send). */
const DRAIN_URI = 'amph-drain';

/**
 * While the drain flag exists, each request passes `= amph-drain` on its way
 * to `location /`: `keepalive_timeout 0` there clears the request's
 * keep-alive (ngx_http_update_location_config), nothing sets it back, so the
 * answer says `Connection: close` and the connection closes after it. `$uri`
 * is rewritten to `/`, which nothing reads (L7 and proxy_pass use
 * `$request_uri`).
 */
function drainServerLine(o: ListenerOptions): string {
  return `if (-f ${o.drainFile}) { rewrite ^ ${DRAIN_URI} last; }`;
}
const drainLocation: LocationView = { match: `= ${DRAIN_URI}`, lines: ['internal;', 'keepalive_timeout 0;', 'rewrite ^ / last;'] };

/** The internal location(s) serving pool `p` (k-th of the listener). */
function poolLocations(l: Listener, p: Pool, k: number, reg: BlockRegistry, sink: FileSink, o: ListenerOptions): LocationView[] {
  if (!poolAvailable(p, o.down)) return [{ match: `= ${poolUri(k)}`, lines: ['internal;', 'return 503;'] }];
  const scheme = p.tls_enabled ? 'https' : 'http';
  const tls = poolTlsLines(p, sink);
  const pin = cookiePersistence(p, l.listener_id, reg, o.down);
  const body = (upstream: string) => [
    `proxy_pass ${scheme}://${upstream}$request_uri;`,
    ...proxyHeaderLines(l, reg, pin?.cookieHeader ?? null),
    ...tls,
    ...(pin?.responseLines ?? []),
    ...hstsLines(l),
  ];
  const pool = upstreamName(p.pool_id, l.listener_id);
  if (!pin) return [{ match: `= ${poolUri(k)}`, lines: ['internal;', ...body(pool)] }];
  // a pinned member that fails is left for the whole pool (haproxy's `option redispatch`)
  const any = `@${poolUri(k)}-any`;
  return [
    { match: `= ${poolUri(k)}`, lines: ['internal;', `error_page 502 504 = ${any};`, ...body(pin.upstream)] },
    { match: any, lines: body(pool) },
  ];
}

/** The directives of `location /`: the elected policy's action, else the default pool. */
function rootLines(l: Listener, reg: BlockRegistry, poolIndex: (id: string) => number | null): string[] {
  const { policies, variable } = buildElection(l, reg);
  const out: string[] = [];
  policies.forEach((p, i) => {
    const code = p.redirect_http_code ?? 302;
    let action: string;
    if (p.action === 'REJECT') action = 'return 403;';
    else if (p.action === 'REDIRECT_TO_URL') action = `return ${code} ${nginxQuoteText(p.redirect_url ?? '')};`;
    else if (p.action === 'REDIRECT_PREFIX') action = `return ${code} ${nginxQuoteText(p.redirect_prefix ?? '').slice(0, -1)}$request_uri";`;
    else {
      const k = poolIndex(p.redirect_pool_id ?? '');
      action = k === null ? 'return 503;' : `rewrite ^ ${poolUri(k)} last;`;
    }
    out.push(`if (${variable} = ${i + 1}) { ${action} }`);
  });
  const d = l.default_pool_id ? poolIndex(l.default_pool_id) : null;
  out.push(d === null ? 'return 503;' : `rewrite ^ ${poolUri(d)} last;`);
  return out;
}

/** Allowed source CIDRs as a geo variable (1 allowed, 0 not), or null when every source is. */
function allowVar(l: Listener, reg: BlockRegistry): string | null {
  if (!l.allowed_cidrs) return null;
  const name = `$amph_allow${reg.next()}`;
  reg.add({ head: `geo ${name}`, lines: ['default 0;', ...l.allowed_cidrs.map((c) => `${nginxWord(c, 'a CIDR')} 1;`)] });
  return name;
}

/** The server blocks and upstreams of one enabled HTTP or TERMINATED_HTTPS listener. */
export function buildHttpListener(l: Listener, reg: BlockRegistry, sink: FileSink, o: ListenerOptions): { servers: ServerView[]; upstreams: BlockView[] } {
  const ids: string[] = [];
  const poolIndex = (id: string): number | null => {
    if (!o.pools.has(id)) return null;
    if (!ids.includes(id)) ids.push(id);
    return ids.indexOf(id);
  };
  if (l.default_pool_id) poolIndex(l.default_pool_id);
  const root = rootLines(l, reg, poolIndex);
  const pools = ids.map((id) => o.pools.get(id) as Pool);
  const locations: LocationView[] = [{ match: '/', lines: root }, drainLocation, ...pools.flatMap((p, k) => poolLocations(l, p, k, reg, sink, o))];
  const upstreams = pools.flatMap((p) => buildUpstreams(p, l.listener_id, true, o.down, reg));
  const tls = l.protocol === 'TERMINATED_HTTPS';
  const alpnH2 = tls && (l.alpn_protocols ?? []).includes('h2');
  const client = formatTime(l.timeout_client_data);
  const allow = allowVar(l, reg);
  const shared = [
    ...(tls ? listenerTlsLines(l, sink) : []),
    `client_header_timeout ${client};`, `client_body_timeout ${client};`, `send_timeout ${client};`, `keepalive_timeout ${client};`,
    `proxy_connect_timeout ${formatTime(l.timeout_member_connect)};`,
    `proxy_send_timeout ${formatTime(l.timeout_member_data)};`, `proxy_read_timeout ${formatTime(l.timeout_member_data)};`,
    ...(l.connection_limit > 0 ? [`limit_conn amph_http_conn ${Math.min(l.connection_limit, o.maxConn)};`] : []),
    o.accessLog ?? 'access_log off;',
    ...(allow ? [`if (${allow} = 0) { return 444; }`] : []),
    drainServerLine(o),
  ];
  const certs = tls ? listenerCertificates(l, sink) : [{ file: '', names: [] }];
  const servers = certs
    .filter((c, i) => i === 0 || c.names.length > 0)
    .map((c, i): ServerView => ({
      comment: `listener ${nginxWord(l.listener_id, 'a listener_id')}${i > 0 ? ` (${c.file})` : ''}`,
      lines: [
        ...o.vips.map((ip) => `listen ${formatAddress(ip, l.protocol_port)}${tls ? ' ssl' : ''}${alpnH2 ? ' http2' : ''}${i === 0 ? ' default_server' : ''};`),
        ...(c.names.length ? [`server_name ${c.names.map(serverNameWord).join(' ')};`] : []),
        ...(tls ? [`ssl_certificate ${c.file};`, `ssl_certificate_key ${c.file};`] : []),
        ...shared,
      ],
      locations,
    }));
  return { servers, upstreams };
}
