/**
 * Builds the keepalived view model: LVS virtual servers for UDP and SCTP
 * listeners (haproxy cannot proxy them) and the VRRP instance of an
 * ACTIVE_STANDBY amphora.
 */
import { isIP } from 'node:net';
import type { Amphora, Document, HealthMonitor, Listener, Member, Pool } from '../../schemas';
import { keepalivedUrlPath, keepalivedWord } from '../escape';
import type { VrrpTiming } from '../types';
import { keepalivedRuntimePaths, OCTAVIA_VRRP_TIMING, type KeepalivedRuntimePaths } from './runtime-paths';
import type { CheckView, KeepalivedView, RealServerView, VirtualServerView, VrrpView } from './view-model';

/** Interface VRRP runs on when the context names none: the VIP interface of an Octavia amphora. */
export const DEFAULT_VRRP_INTERFACE = 'eth1';

const SCHED: Record<string, { sched: string; flags: string[] }> = {
  ROUND_ROBIN: { sched: 'wrr', flags: [] },
  LEAST_CONNECTIONS: { sched: 'wlc', flags: [] },
  SOURCE_IP: { sched: 'sh', flags: [] },
  SOURCE_IP_PORT: { sched: 'sh', flags: ['sh-port'] },
};

/** True when the document needs keepalived at all. */
export function needsKeepalived(doc: Document): boolean {
  return doc.amphora?.topology === 'ACTIVE_STANDBY' || doc.loadbalancer.listeners.some((l) => l.protocol === 'UDP' || l.protocol === 'SCTP');
}

/** What keepalived has to run for a document: a VRRP instance, LVS virtual servers (the agent starts it only for these). */
export function keepalivedNeeds(doc: Document): { vrrp: boolean; lvs: boolean } {
  return { vrrp: needsVrrp(doc.amphora), lvs: virtualServers(doc).length > 0 };
}

/** VRRP is needed by an amphora of an ACTIVE_STANDBY pair that has its VRRP address. */
export function needsVrrp(a: Document['amphora']): boolean {
  return !!a && a.topology === 'ACTIVE_STANDBY' && !!a.vrrp_address;
}

/** The VRRP priority of an amphora: its `vrrp_priority`, else Octavia's ROLE_MASTER_PRIORITY / ROLE_BACKUP_PRIORITY. */
export function vrrpPriority(a: Amphora): number {
  return a.vrrp_priority ?? (a.role === 'MASTER' ? 100 : 90);
}

/** A stable VRRP router id (1-255) from the load balancer id: both peers derive the same one. */
export function vrrpRouterId(loadbalancerId: string): number {
  let h = 0;
  for (const c of loadbalancerId) h = (h * 31 + c.charCodeAt(0)) % 65521;
  return (h % 255) + 1;
}

/** keepalived status_code words of `expected_codes`: `200 202` or `200-204`. */
export function statusCodes(expected: string): string {
  return expected.replace(/ /g, '').split(',').map((c) => keepalivedWord(c, 'an expected code')).join(' ');
}

function check(hm: HealthMonitor, m: Member): CheckView | null {
  const type = { 'UDP-CONNECT': 'UDP_CHECK', TCP: 'TCP_CHECK', HTTP: 'HTTP_GET', SCTP: 'PING_CHECK' }[hm.type as string] as CheckView['type'] | undefined;
  // keepalived's HTTP_GET only sends GET; a monitor of another method is left out, as Octavia does
  if (!type || (type === 'HTTP_GET' && (hm.http_method ?? 'GET') !== 'GET')) return null;
  const http = type === 'HTTP_GET';
  return {
    type,
    connectIp: keepalivedWord(m.monitor_address ?? m.address, 'an address'),
    connectPort: m.monitor_port ?? m.protocol_port,
    connectTimeout: hm.timeout,
    retry: hm.max_retries_down ?? 3,
    delayBeforeRetry: hm.delay,
    httpProtocol: http ? (hm.http_version === 1.1 ? '1.1' : '1.0') : null,
    url: http
      ? {
          path: keepalivedUrlPath(hm.url_path ?? '/'),
          statusCodes: statusCodes(hm.expected_codes ?? '200'),
          virtualhost: hm.domain_name ? keepalivedWord(hm.domain_name, 'a domain_name') : null,
        }
      : null,
  };
}

function realServers(l: Listener, p: Pool, family: number): RealServerView[] {
  const hm = p.healthmonitor?.admin_state_up ? p.healthmonitor : null;
  return p.members
    .filter((m) => m.admin_state_up && isIP(m.address) === family)
    .map((m) => ({
      memberId: keepalivedWord(m.member_id, 'a member_id'),
      address: keepalivedWord(m.address, 'an address'),
      port: m.protocol_port,
      weight: m.weight,
      uthreshold: l.connection_limit > 0 ? l.connection_limit : null,
      check: hm ? check(hm, m) : null,
    }));
}

/** The LVS virtual servers of a document: enabled UDP/SCTP listeners, per VIP, with their enabled members. */
export function virtualServers(doc: Document): VirtualServerView[] {
  const lb = doc.loadbalancer;
  if (!lb.admin_state_up) return [];
  const pools = new Map(lb.pools.map((p) => [p.pool_id, p] as const));
  const vips = [...new Set([lb.vip_address, ...lb.additional_vips.map((v) => v.ip_address)])];
  const out: VirtualServerView[] = [];
  for (const l of lb.listeners) {
    if ((l.protocol !== 'UDP' && l.protocol !== 'SCTP') || !l.admin_state_up || !l.default_pool_id) continue;
    const p = pools.get(l.default_pool_id);
    // a disabled pool serves nothing; LVS has no error answer, so the virtual server goes
    if (!p || !p.admin_state_up) continue;
    const sp = p.session_persistence?.type === 'SOURCE_IP' ? p.session_persistence : null;
    const hm = p.healthmonitor?.admin_state_up ? p.healthmonitor : null;
    for (const vip of vips) {
      const rs = realServers(l, p, isIP(vip));
      // keepalived refuses a virtual server without real servers; without one LVS answers nothing anyway
      if (rs.length === 0) continue;
      out.push({
        listenerId: keepalivedWord(l.listener_id, 'a listener_id'),
        poolId: keepalivedWord(p.pool_id, 'a pool_id'),
        address: keepalivedWord(vip, 'an address'),
        port: l.protocol_port,
        protocol: l.protocol,
        ...SCHED[p.lb_algorithm],
        delayLoop: hm ? hm.delay : null,
        persistenceTimeout: sp ? sp.persistence_timeout : null,
        persistenceGranularity: sp?.persistence_granularity && isIP(vip) === 4 ? keepalivedWord(sp.persistence_granularity, 'a netmask') : null,
        realServers: rs,
      });
    }
  }
  return out;
}

function vrrp(doc: Document, a: Amphora, iface: string, rt: KeepalivedRuntimePaths, t: VrrpTiming): VrrpView | null {
  if (a.topology !== 'ACTIVE_STANDBY' || !a.vrrp_address) return null;
  const lb = doc.loadbalancer;
  const family = isIP(a.vrrp_address);
  const vips = [...new Set([lb.vip_address, ...lb.additional_vips.map((v) => v.ip_address)])].map((v) => keepalivedWord(v, 'an address'));
  return {
    name: `lb_${keepalivedWord(lb.loadbalancer_id, 'a loadbalancer_id')}`,
    interface: keepalivedWord(iface, 'the VRRP interface'),
    virtualRouterId: vrrpRouterId(lb.loadbalancer_id),
    // the role is only a preference: with nopreempt whoever holds the VIP keeps it
    priority: vrrpPriority(a),
    sourceIp: keepalivedWord(a.vrrp_address, 'an address'),
    peers: a.vrrp_peers.map((p) => keepalivedWord(p.address, 'an address')),
    vips: vips.filter((v) => isIP(v) === family),
    vipsExcluded: vips.filter((v) => isIP(v) !== family),
    advertInt: t.advertInt,
    garpRefreshInterval: t.garpRefreshInterval,
    garpRefreshCount: t.garpRefreshCount,
    check: { script: rt.checkScript, interval: t.checkInterval, fall: t.failCount, rise: t.successCount },
    notifyFifo: rt.notifyFifo,
    notifyScript: rt.notifyScript,
  };
}

/**
 * The keepalived view of a document; `vrrpInterface` is the NIC carrying the
 * VIPs, `runDir` holds keepalived's runtime files (runtime-paths.ts).
 */
export function buildKeepalivedView(doc: Document, vrrpInterface: string, runDir: string, timing: VrrpTiming = OCTAVIA_VRRP_TIMING): KeepalivedView {
  const a = doc.amphora;
  const rt = keepalivedRuntimePaths(keepalivedWord(runDir, 'the run directory'));
  return {
    routerId: keepalivedWord(a?.id ?? doc.loadbalancer.loadbalancer_id, 'an amphora id'),
    reloadFile: rt.reloadFile,
    vrrp: a ? vrrp(doc, a, vrrpInterface, rt, timing) : null,
    virtualServers: virtualServers(doc),
  };
}
