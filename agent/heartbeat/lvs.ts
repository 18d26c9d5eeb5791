/**
 * UDP and SCTP listeners as the kernel's IPVS serves them (keepalived's LVS),
 * read from `/proc/net/ip_vs` and reported as Octavia's health daemon does
 * (keepalivedlvs_query): a listener is OPEN while keepalived runs its LVS and
 * every virtual server of it is in IPVS; a member in IPVS is UP (or "no check"
 * without a monitor, DRAIN at weight 0), a member keepalived's checker took
 * out is DOWN, a disabled one MAINT. `conns` is the members' ActiveConn; the
 * traffic counters stay 0: IPVS keeps per-service counters only behind its
 * netlink interface (ipvsadm), not in /proc.
 */
import type { ListenerReport, MemberStatus, PoolReport } from '../../schemas/heartbeat/message';

export interface IpvsDest {
  address: string;
  port: number;
  weight: number;
  activeConns: number;
}

export interface IpvsService {
  protocol: string;
  address: string;
  port: number;
  dests: IpvsDest[];
}

/** The LVS part of the applied document (agent/keepalived/lvs-plan.ts). */
export interface LvsListener {
  listenerId: string;
  protocol: string;
  poolKey: string | null;
  services: { address: string; port: number }[];
  members: { id: string; address: string; port: number; enabled: boolean }[];
  monitored: boolean;
}

export type LvsReading =
  | { available: true; services: IpvsService[] }
  | { available: false; reason: string };

export interface LvsReport {
  listeners: Record<string, ListenerReport>;
  pools: Record<string, PoolReport>;
}

/** One canonical text form per address (IPv6 compressed, lower case), so that IPVS's and the document's compare. */
export function canonicalAddress(a: string): string {
  if (!a.includes(':')) return a;
  try {
    return new URL(`http://[${a.replace(/^\[|\]$/g, '')}]/`).hostname.slice(1, -1);
  } catch {
    return a.toLowerCase();
  }
}

/** `0A3C0064:0035` or `[2001:0db8:...]:0035` (hex port) to an address and a port. */
function hexEndpoint(s: string): { address: string; port: number } | null {
  const m = /^(?:([0-9A-Fa-f]{8})|\[([0-9A-Fa-f:]+)\]):([0-9A-Fa-f]{4})$/.exec(s);
  if (!m) return null;
  const address = m[1] ? [0, 2, 4, 6].map((i) => parseInt(m[1].slice(i, i + 2), 16)).join('.') : canonicalAddress(m[2]);
  return { address, port: parseInt(m[3], 16) };
}

/**
 * Parses `/proc/net/ip_vs` (net/netfilter/ipvs/ip_vs_ctl.c): a service line
 * `UDP  0A3C0064:0035 wrr ...`, then its destinations
 * `  -> C0000201:0035      Masq    1      0          0`. Firewall-mark services are skipped.
 */
export function parseIpVs(text: string): IpvsService[] {
  const out: IpvsService[] = [];
  let cur: IpvsService | null = null;
  for (const line of text.split('\n')) {
    const dest = /^\s+->\s+(\S+)\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (dest) {
      const ep = hexEndpoint(dest[1]);
      if (cur && ep) cur.dests.push({ ...ep, weight: Number(dest[2]), activeConns: Number(dest[3]) });
      continue;
    }
    const svc = /^(TCP|UDP|SCTP)\s+(\S+)\s/.exec(line);
    const ep = svc && hexEndpoint(svc[2]);
    cur = svc && ep ? { protocol: svc[1], ...ep, dests: [] } : null;
    if (cur) out.push(cur);
  }
  return out;
}

const key = (protocol: string, address: string, port: number) => `${protocol} ${canonicalAddress(address)} ${port}`;
const ZERO = { tx: 0, rx: 0, totconns: 0, ereq: 0 };

/** The heartbeat entries of the LVS listeners; `running`: keepalived runs its LVS part. Nothing is UP that IPVS does not hold. */
export function lvsReport(plan: LvsListener[], reading: LvsReading, running: boolean): LvsReport {
  const out: LvsReport = { listeners: {}, pools: {} };
  const services = new Map(reading.available ? reading.services.map((s) => [key(s.protocol, s.address, s.port), s] as const) : []);
  for (const l of plan) {
    const found = l.services.map((s) => services.get(key(l.protocol, s.address, s.port)));
    const open = running && reading.available && l.services.length > 0 && found.every(Boolean);
    const dests = new Map<string, IpvsDest>();
    for (const s of found) for (const d of s?.dests ?? []) dests.set(`${canonicalAddress(d.address)} ${d.port}`, d);
    const conns = [...dests.values()].reduce((n, d) => n + d.activeConns, 0);
    out.listeners[l.listenerId] = { status: open ? 'OPEN' : 'DOWN', stats: { ...ZERO, conns: open ? conns : 0 } };
    if (!open || !l.poolKey) continue;
    const members: Record<string, MemberStatus> = {};
    for (const m of l.members) {
      const d = dests.get(`${canonicalAddress(m.address)} ${m.port}`);
      members[m.id] = !m.enabled ? 'MAINT' : !d ? 'DOWN' : d.weight === 0 ? 'DRAIN' : l.monitored ? 'UP' : 'no check';
    }
    const list = Object.values(members);
    out.pools[l.poolKey] = { status: list.length === 0 || list.some((s) => s === 'UP' || s === 'no check') ? 'UP' : 'DOWN', members };
  }
  return out;
}

/** Reads `/proc/net/ip_vs` of the agent's network namespace; without it, says why. */
export function readIpVs(readFile: (f: string) => string, procFile = '/proc/net/ip_vs'): LvsReading {
  try {
    return { available: true, services: parseIpVs(readFile(procFile)) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { available: false, reason: code === 'ENOENT' ? `this kernel has no IPVS (${procFile} does not exist)` : `cannot read ${procFile}: ${(e as Error).message}` };
  }
}
