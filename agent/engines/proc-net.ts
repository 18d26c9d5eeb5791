/**
 * The sockets of this network namespace from /proc/net/{tcp,tcp6,udp,udp6}:
 * which listener addresses are bound and how many connections each has.
 * Engine-neutral: the nginx adapter verifies its binds with it, and the
 * heartbeat counts current connections per VIP:port for either engine.
 */
import * as fs from 'node:fs';

export interface Endpoint {
  ip: string;
  port: number;
}

export interface SocketEntry {
  local: Endpoint;
  remote: Endpoint;
  /** kernel TCP state: '0A' LISTEN, '01' ESTABLISHED; for UDP '07' unconnected, '01' connected */
  state: string;
}

export const TCP_LISTEN = '0A';
export const TCP_ESTABLISHED = '01';

/** A /proc/net address (`0100007F:0050`, or 32 hex digits for IPv6) as text (IPv4-mapped IPv6 as IPv4). */
export function parseProcAddress(s: string): Endpoint {
  const [hex, portHex] = s.split(':');
  const port = Number.parseInt(portHex, 16);
  if (hex.length === 8) return { ip: hexWordToIpv4(hex), port };
  // four host-order 32-bit words
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse());
  if (bytes.slice(0, 10).every((b) => b === '00') && bytes[10] === 'FF' && bytes[11] === 'FF') {
    return { ip: bytes.slice(12).map((b) => Number.parseInt(b, 16)).join('.'), port };
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(Number.parseInt(bytes[i] + bytes[i + 1], 16).toString(16));
  return { ip: compressIpv6(groups), port };
}

function hexWordToIpv4(hex: string): string {
  return (hex.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)).join('.');
}

/** `0:0:0:0:0:0:0:1` -> `::1` (the longest run of zero groups, as inet_ntop). */
function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The entries of one /proc/net table's text. */
export function parseProcNet(text: string): SocketEntry[] {
  const out: SocketEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    out.push({ local: parseProcAddress(f[1]), remote: parseProcAddress(f[2]), state: f[3] });
  }
  return out;
}

export type ProcNetReader = (table: 'tcp' | 'tcp6' | 'udp' | 'udp6') => string;

/** Reads /proc/net/<table> (empty when the table is absent, e.g. IPv6 disabled). */
export const readProcNet: ProcNetReader = (table) => {
  try {
    return fs.readFileSync(`/proc/net/${table}`, 'utf8');
  } catch {
    return '';
  }
};

/** Every socket of a protocol, both families. */
export function sockets(proto: 'tcp' | 'udp', read: ProcNetReader = readProcNet): SocketEntry[] {
  return [...parseProcNet(read(proto)), ...parseProcNet(read(`${proto}6`))];
}

const key = (e: Endpoint) => `${e.ip}|${e.port}`;

/** One reading of the tables: what is bound and who is connected (read once, asked many times). */
export interface SocketSnapshot {
  tcpListening: Set<string>;
  udpBound: Set<string>;
  /** established TCP connections per local endpoint */
  established: Map<string, number>;
}

/** Indexes TCP and UDP socket entries. */
function indexSockets(tcp: readonly SocketEntry[], udp: readonly SocketEntry[]): SocketSnapshot {
  const established = new Map<string, number>();
  for (const s of tcp) if (s.state === TCP_ESTABLISHED) established.set(key(s.local), (established.get(key(s.local)) ?? 0) + 1);
  return {
    tcpListening: new Set(tcp.filter((s) => s.state === TCP_LISTEN).map((s) => key(s.local))),
    udpBound: new Set(udp.filter((s) => s.remote.port === 0).map((s) => key(s.local))),
    established,
  };
}

/** Reads and indexes the tables once (a busy machine has thousands of sockets: asking per listener would read them per listener). */
export function snapshot(read: ProcNetReader = readProcNet): SocketSnapshot {
  return indexSockets(sockets('tcp', read), sockets('udp', read));
}

/** The endpoints among `want` that have no listening socket (TCP) or bound socket (UDP). */
export function unbound(want: readonly (Endpoint & { udp: boolean })[], from: ProcNetReader | SocketSnapshot = readProcNet): Endpoint[] {
  const missing = (s: SocketSnapshot) => want.filter((e) => !(e.udp ? s.udpBound : s.tcpListening).has(key(e)));
  if (typeof from !== 'function') return missing(from);
  // the IPv4 tables first, the IPv6 ones only for what they lack (each read once): a read walks the kernel's
  // whole socket hash, whatever it holds (~4 ms a table on a VM), and IPv4 listeners are in the IPv4 table
  const tcp = parseProcNet(from('tcp'));
  const udp = parseProcNet(from('udp'));
  const first = missing(indexSockets(tcp, udp));
  if (!first.length) return first;
  return missing(indexSockets([...tcp, ...parseProcNet(from('tcp6'))], [...udp, ...parseProcNet(from('udp6'))]));
}

/** Established TCP connections per local endpoint (`ip|port`), e.g. clients of each VIP:port. */
export function establishedByLocal(read: ProcNetReader = readProcNet): Map<string, number> {
  return snapshot(read).established;
}

/** The map key of an endpoint (establishedByLocal). */
export const endpointKey = key;
