/**
 * Builds the haproxy view model of a whole document: global sizing,
 * one frontend per TCP-family listener, one backend per listener–pool pair.
 * UDP and SCTP listeners are keepalived's (renderers/keepalived).
 */
import { isIP } from 'node:net';
import type { Document, Listener, Pool } from '../../schemas';
import type { RenderContext, ServePlan } from '../types';
import { haproxyWord } from '../escape';
import { hstsHeaderValue } from '../hsts';
import { backendName, buildBackend, isHttpMode, servedPersistence, type BackendOptions } from './build-backend';
import { buildL7, orderedPolicies } from './build-l7';
import { listenerBindTls, type FileSink } from './build-tls';
import { chunk, formatAddress, formatDuration } from './helpers';
import { SERVER_STATE_FILE } from './runtime-files';
import type { BackendView, FrontendView, HaproxyView, PeersView, PolicyView } from './view-model';

/** Upper bound of the global maxconn whatever the fd limit: buffers of a small VM's memory. */
export const MAX_GLOBAL_MAXCONN = 50000;
/** fds haproxy needs besides connections: stats socket, master/worker pipes, pollers, logs, resolvers. */
export const FD_RESERVE = 200;
/** CIDRs per `acl` line (haproxy caps the words of a line at 64). */
const CIDRS_PER_LINE = 32;

/** Listeners haproxy serves itself. */
export function haproxyListeners(doc: Document): Listener[] {
  return doc.loadbalancer.listeners.filter((l) => l.protocol !== 'UDP' && l.protocol !== 'SCTP');
}

/** Every address the listeners bind: the VIP and each additional VIP, once. */
export function vipAddresses(doc: Document): string[] {
  return [...new Set([doc.loadbalancer.vip_address, ...doc.loadbalancer.additional_vips.map((v) => v.ip_address)])];
}

/**
 * The global maxconn that fits `fdLimit`: each proxied connection holds two fds
 * (client and server side), every bound socket one, and health checks as many
 * as can run at once (`checkFds`, see checkFdEstimate).
 */
export function globalMaxconn(fdLimit: number, binds: number, checkFds: number): number {
  const n = Math.floor((fdLimit - FD_RESERVE - binds - checkFds) / 2);
  return Math.max(1, Math.min(MAX_GLOBAL_MAXCONN, n));
}

/**
 * fds that health checks may hold at once: a check holds one for at most
 * `timeout` every `delay` seconds (timeout <= delay), so a server needs
 * timeout/delay of one on average, even when every member black-holes.
 */
export function checkFdEstimate(pools: readonly Pool[]): number {
  let n = 0;
  for (const p of pools) {
    const hm = p.healthmonitor;
    if (hm?.admin_state_up) n += p.members.length * Math.min(1, hm.timeout / hm.delay);
  }
  return Math.ceil(n);
}

/**
 * The global sizing. haproxy budgets one fd per checked server as if every
 * check ran at once, and by default refuses to start when its budget exceeds
 * the fd limit ("strict-limits"). While that over-count costs under a quarter
 * of the fds, keep haproxy's accounting; beyond, size by `checkFdEstimate`
 * and turn strict-limits off, so large configs still start within `fdLimit`.
 */
export function sizeGlobal(fdLimit: number, binds: number, checkedServers: number, checkFds: number): { maxconn: number; strictLimits: boolean } {
  if (checkedServers <= (fdLimit - FD_RESERVE - binds) / 4) return { maxconn: globalMaxconn(fdLimit, binds, checkedServers), strictLimits: true };
  return { maxconn: globalMaxconn(fdLimit, binds, checkFds), strictLimits: false };
}

/** The check fds are budgeted in steps of this many (see buildHaproxyView). */
export const CHECK_BUDGET_STEP = 256;
const stepUp = (n: number) => Math.ceil(n / CHECK_BUDGET_STEP) * CHECK_BUDGET_STEP;

/**
 * Default `hard-stop-after`: old workers after a reload close their idle and
 * HTTP connections within seconds, so only long-lived TCP sessions
 * (websockets, database clients) reach this bound and are cut. Ten minutes
 * lets those finish most pending work while a busy control plane (one apply
 * every 10 s) still leaves at most about 60 old workers alive at once.
 */
export const DEFAULT_HARD_STOP_AFTER_SEC = 600;

/** Port the stick-table peers talk on, on each amphora's VRRP address (Octavia's). */
export const PEER_PORT = 1025;

/**
 * Bind option that lets haproxy bind an address the machine does not hold
 * (IP_TRANSPARENT, IPV6_TRANSPARENT; the agent runs haproxy as root): a BACKUP
 * amphora binds VIPs before it takes them, and a document may name addresses
 * not configured yet. Without TPROXY rules nothing is intercepted: a local
 * address is served as before, a non-local one once it is added.
 */
export const NONLOCAL_BIND = 'transparent';

/**
 * An ACTIVE_STANDBY amphora shares its stick tables (SOURCE_IP and APP_COOKIE
 * persistence) with its VRRP peers, so a failover keeps clients on their members.
 * The `bind` + `server` form, because only a `bind` line takes `transparent`
 * (`peer NAME ADDR` would fail to start while the VRRP address is not local).
 */
export function peersOf(doc: Document): PeersView | null {
  const a = doc.amphora;
  if (!a || a.topology !== 'ACTIVE_STANDBY' || !a.id || !a.vrrp_address) return null;
  const local = haproxyWord(a.id, 'an amphora id');
  return {
    name: 'amphora_peers',
    local,
    entries: [
      `bind ${formatAddress(a.vrrp_address, PEER_PORT)} ${NONLOCAL_BIND}`,
      `server ${local}`,
      ...a.vrrp_peers.map((p) => `server ${haproxyWord(p.id, 'an amphora id')} ${formatAddress(p.address, PEER_PORT)}`),
    ],
  };
}

interface ListenerPlan {
  l: Listener;
  enabled: boolean;
  pools: Pool[];
}

function plan(doc: Document): ListenerPlan[] {
  const poolById = new Map(doc.loadbalancer.pools.map((p) => [p.pool_id, p] as const));
  return haproxyListeners(doc).map((l) => {
    const enabled = doc.loadbalancer.admin_state_up && l.admin_state_up;
    const ids = new Set<string>();
    if (enabled && l.default_pool_id) ids.add(l.default_pool_id);
    // the pools of served policies (orderedPolicies: an HTTP listener's)
    if (enabled) for (const p of orderedPolicies(l)) if (p.action === 'REDIRECT_TO_POOL' && p.redirect_pool_id) ids.add(p.redirect_pool_id);
    const pools = [...ids].map((id) => poolById.get(id)).filter((p): p is Pool => !!p);
    return { l, enabled, pools };
  });
}

const PROMETHEUS_RULES = ['http-request use-service prometheus-exporter if { path /metrics }', 'http-request return status 404'];

/** The request-handling directives of an enabled listener, in the order haproxy must read them. */
export function frontendRules(l: Listener): string[] {
  const out: string[] = [];
  if (l.allowed_cidrs) {
    for (const c of chunk(l.allowed_cidrs, CIDRS_PER_LINE)) out.push(`acl allowed_src src ${c.map((x) => haproxyWord(x, 'a CIDR')).join(' ')}`);
    out.push('tcp-request connection reject if !allowed_src');
  }
  if (l.protocol === 'PROMETHEUS') out.push(...PROMETHEUS_RULES);
  const hsts = hstsHeaderValue(l);
  // digits and fixed words only: quoted for the spaces and ";"
  if (hsts) out.push(`http-response set-header Strict-Transport-Security "${hsts}"`);
  // an HTTP listener's policies (buildL7 takes the served ones alone)
  const { acls, policies } = buildL7(l, (id) => backendName(id, l.listener_id));
  for (const a of acls) out.push(`acl ${a.name} ${a.expr}`);
  out.push(...policyRules(policies));
  return out;
}

const isUseBackend = (p: PolicyView): boolean => p.directive.startsWith('use_backend ');

/**
 * The policies' actions, first match by position winning. haproxy runs every
 * `http-request` rule (REJECT, the redirects) before any `use_backend`
 * (REDIRECT_TO_POOL), and each kind in file order, stopping at the first that
 * matches. When no REDIRECT_TO_POOL comes before another kind of policy, that
 * order is already position order and each action carries its own condition.
 * Otherwise the first matching policy is elected into `txn.l7policy` and each
 * action runs only for its index (the election costs haproxy time to parse:
 * about a fifth of `haproxy -c` with 1,000 listeners of 10 policies).
 */
export function policyRules(policies: PolicyView[]): string[] {
  const firstPool = policies.findIndex(isUseBackend);
  const inOrder = firstPool < 0 || policies.slice(firstPool).every(isUseBackend);
  if (inOrder) return policies.map((p) => `${p.directive} if ${p.condition}`);
  const on = (i: number) => `if { var(txn.l7policy) -m int ${i} }`;
  return [
    ...policies.map((p) => `http-request set-var(txn.l7policy) int(${p.index}) if !{ var(txn.l7policy) -m found } ${p.condition}`),
    // haproxy runs every http-request rule before any use_backend: print them so, the election keeps the order
    ...policies.filter((p) => !isUseBackend(p)).map((p) => `${p.directive} ${on(p.index)}`),
    ...policies.filter(isUseBackend).map((p) => `${p.directive} ${on(p.index)}`),
  ];
}

function frontend(pl: ListenerPlan, vips: string[], maxconn: number, sink: FileSink): FrontendView {
  const { l, enabled } = pl;
  const tls = enabled ? listenerBindTls(l, sink) : [];
  const limit = l.connection_limit < 0 ? maxconn : Math.min(l.connection_limit, maxconn);
  return {
    name: haproxyWord(l.listener_id, 'a listener_id'),
    mode: isHttpMode(l) ? 'http' : 'tcp',
    disabled: !enabled,
    maxconn: limit,
    binds: vips.map((ip) => [formatAddress(ip, l.protocol_port), NONLOCAL_BIND, ...tls].join(' ')),
    timeoutClient: formatDuration(l.timeout_client_data),
    inspectDelay: enabled && l.timeout_tcp_inspect > 0 ? formatDuration(l.timeout_tcp_inspect) : null,
    rules: enabled ? frontendRules(l) : [],
    defaultBackend: enabled && l.default_pool_id && pl.pools.some((p) => p.pool_id === l.default_pool_id) ? backendName(l.default_pool_id, l.listener_id) : null,
  };
}

/**
 * A view built for a frozen listener (and pool): the validation worker keeps
 * the listeners and pools of the last document frozen and hands the same
 * objects to the next render when their text is unchanged
 * (schemas/validate.ts ValidationMemo). What a view depends on besides them
 * is `deps`; the files it wrote are replayed into the sink.
 */
interface Built<T> {
  deps: string;
  view: T;
  files: [string, string][];
  secrets: string[];
}

const builtFrontends = new WeakMap<Listener, Built<FrontendView>>();
const builtBackends = new WeakMap<Listener, WeakMap<Pool, Built<BackendView>>>();

/**
 * `build`'s view, or the one built before for the same frozen inputs and
 * `deps`. Objects that are not frozen may change under a cache: they are
 * built every time, as are views a renderer would have to share otherwise.
 */
function reuse<T>(frozen: boolean, hit: Built<T> | undefined, deps: string, sink: FileSink, build: (s: FileSink) => T, keep: (b: Built<T>) => void): T {
  if (!frozen) return build(sink);
  if (hit?.deps === deps) {
    for (const [name, content] of hit.files) sink.files[name] = content;
    sink.secrets.push(...hit.secrets);
    return hit.view;
  }
  const own: FileSink = { files: {}, secrets: [] };
  const view = build(own);
  const files = Object.entries(own.files);
  for (const [name, content] of files) sink.files[name] = content;
  sink.secrets.push(...own.secrets);
  keep({ deps, view: Object.freeze(view), files, secrets: own.secrets });
  return view;
}

function frontendOf(pl: ListenerPlan, vips: string[], maxconn: number, sink: FileSink): FrontendView {
  const deps = JSON.stringify([pl.enabled, vips, maxconn, pl.pools.map((p) => p.pool_id)]);
  return reuse(Object.isFrozen(pl.l), builtFrontends.get(pl.l), deps, sink, (s) => frontend(pl, vips, maxconn, s), (b) => builtFrontends.set(pl.l, b));
}

function backendOf(l: Listener, p: Pool, o: BackendOptions, sink: FileSink): BackendView {
  let byPool = builtBackends.get(l);
  const deps = JSON.stringify([o.ipv6, o.peers]);
  return reuse(Object.isFrozen(l) && Object.isFrozen(p), byPool?.get(p), deps, sink, (s) => buildBackend(l, p, o, s), (b) => {
    if (!byPool) builtBackends.set(l, (byPool = new WeakMap()));
    byPool.set(p, b);
  });
}

/** What the engine serves with this view: the one answer verification, diagnosis and the heartbeat read. */
function servePlan(doc: Document, plans: ListenerPlan[], vips: string[], backends: BackendView[]): ServePlan {
  const members = new Map(backends.map((b) => [b.name, b.members] as const));
  const enabled = doc.loadbalancer.listeners.filter((l) => l.admin_state_up);
  const served = plans.filter((pl) => pl.enabled);
  const vrrp = peersOf(doc) ? doc.amphora?.vrrp_address : null;
  return {
    reported: enabled.map((l) => l.listener_id),
    engine: served.map((pl) => ({ id: pl.l.listener_id, binds: vips.map((host) => ({ host, port: pl.l.protocol_port })) })),
    lvs: doc.loadbalancer.admin_state_up ? enabled.filter((l) => l.protocol === 'UDP' || l.protocol === 'SCTP').map((l) => l.listener_id) : [],
    pools: served.flatMap((pl) => pl.pools.map((p) => {
      const key = `${p.pool_id}:${pl.l.listener_id}`;
      return {
        key, poolId: p.pool_id, listenerId: pl.l.listener_id, algorithm: p.lb_algorithm,
        // as served: no cookie persistence in TCP mode (build-backend.ts)
        persistence: servedPersistence(p, isHttpMode(pl.l)), members: members.get(key) ?? [],
      };
    })),
    otherBinds: vrrp ? [{ host: vrrp, port: PEER_PORT, field: 'amphora.vrrp_address' }] : [],
  };
}

/** The view model of haproxy.cfg and what it serves; TLS files are added to `sink`. */
export function buildHaproxyView(doc: Document, ctx: RenderContext, sink: FileSink): { view: HaproxyView; serves: ServePlan } {
  const vips = vipAddresses(doc);
  const ipv6 = vips.some((ip) => isIP(ip) === 6);
  const plans = plan(doc);
  const binds = plans.length * vips.length;
  const checkedPools = plans.flatMap((pl) => pl.pools);
  const checked = checkedPools.reduce((k, p) => k + (p.healthmonitor?.admin_state_up ? p.members.length : 0), 0);
  // in steps of CHECK_BUDGET_STEP: a member added or removed rarely moves maxconn, so it stays a runtime change
  const { maxconn, strictLimits } = sizeGlobal(ctx.fdLimit, binds, stepUp(checked), stepUp(checkFdEstimate(checkedPools)));
  const runDir = haproxyWord(ctx.runDir.replace(/\/+$/, ''), 'the run directory');
  const frontends = plans.map((pl) => frontendOf(pl, vips, maxconn, sink));
  const peers = peersOf(doc);
  const backendOptions: BackendOptions = { ipv6, peers: peers?.name ?? null };
  const backends: BackendView[] = plans.flatMap((pl) => pl.pools.map((p) => backendOf(pl.l, p, backendOptions, sink)));
  const view: HaproxyView = {
    global: {
      loadbalancerId: haproxyWord(doc.loadbalancer.loadbalancer_id, 'a loadbalancer_id'),
      pidfile: `${runDir}/haproxy.pid`,
      statsSocket: `${runDir}/haproxy.sock`,
      serverStateFile: `${runDir}/${SERVER_STATE_FILE}`,
      maxconn,
      strictLimits,
      hardStopAfter: formatDuration((ctx.hardStopAfterSec ?? DEFAULT_HARD_STOP_AFTER_SEC) * 1000),
      localPeer: peers?.local ?? null,
    },
    peers,
    frontends,
    backends,
  };
  return { view, serves: servePlan(doc, plans, vips, backends) };
}
