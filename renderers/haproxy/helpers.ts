/**
 * The small pure functions the haproxy view model is built with, in one
 * registry so each is unit-tested table style (helpers.test.ts).
 */
import { isIP } from 'node:net';
import { haproxyLogFormatLiteral, haproxyQuote, haproxyWord, UnsafeValueError } from '../escape';

/** Milliseconds as a haproxy time: `50s`, `1500ms`, `0` (0 = no timeout for haproxy). */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new UnsafeValueError('a duration', String(ms));
  if (ms === 0) return '0';
  if (ms % 60000 === 0 && ms >= 600000) return `${ms / 60000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** `ip:port` as haproxy reads it; IPv6 in brackets. */
export function formatAddress(ip: string, port: number): string {
  const fam = isIP(ip);
  if (fam === 0) throw new UnsafeValueError('an IP address', ip);
  return fam === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * `expected_codes` as the argument of `http-check expect`: one code is
 * `status N`; a list or a range becomes an anchored `rstatus` alternation.
 */
export function expectedCodesCheck(expected: string): string {
  const codes = expected.replace(/ /g, '');
  if (/^\d{3}$/.test(codes)) return `status ${codes}`;
  let list: string[];
  const range = /^(\d{3})-(\d{3})$/.exec(codes);
  if (range) {
    list = [];
    for (let c = Number(range[1]); c <= Number(range[2]); c++) list.push(String(c));
  } else if (/^\d{3}(,\d{3})*$/.test(codes)) {
    list = codes.split(',');
  } else {
    throw new UnsafeValueError('expected_codes', codes);
  }
  return `rstatus ^(${list.join('|')})$`;
}

const TLS_ORDER = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
const HAPROXY_TLS: Record<string, string> = { SSLv3: 'SSLv3', TLSv1: 'TLSv1.0', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };

/**
 * `tls_versions` as haproxy's `ssl-min-ver X ssl-max-ver Y` words. haproxy
 * takes a range, so a list with a hole (TLSv1 and TLSv1.2) allows the hole too.
 */
export function tlsVersionWords(versions: readonly string[] | null | undefined): string[] {
  if (!versions || versions.length === 0) return [];
  const idx = versions.map((v) => TLS_ORDER.indexOf(v as (typeof TLS_ORDER)[number])).filter((i) => i >= 0);
  if (idx.length === 0) return [];
  const min = TLS_ORDER[Math.min(...idx)];
  const max = TLS_ORDER[Math.max(...idx)];
  return ['ssl-min-ver', HAPROXY_TLS[min], 'ssl-max-ver', HAPROXY_TLS[max]];
}

/** An IPv4 netmask as a prefix length, or null when it is not a contiguous IPv4 mask. */
export function netmaskToPrefix(mask: string | null | undefined): number | null {
  if (!mask || isIP(mask) !== 4) return null;
  const n = mask.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const bits = n.toString(2).padStart(32, '0');
  if (!/^1*0*$/.test(bits)) return null;
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}

/** The `balance` argument of an lb_algorithm (SOURCE_IP_PORT hashes address and port, see build-backend). */
export function balanceFor(algorithm: string): string {
  switch (algorithm) {
    case 'ROUND_ROBIN':
      return 'roundrobin';
    case 'LEAST_CONNECTIONS':
      return 'leastconn';
    case 'SOURCE_IP':
      return 'source';
    case 'SOURCE_IP_PORT':
      return 'hash src,concat(:,txn.lb_src_port)';
    default:
      throw new UnsafeValueError('an lb_algorithm', algorithm);
  }
}

/** Splits a list into chunks of at most `n` (haproxy caps words per line). */
export function chunk<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/** `alpn_protocols` as haproxy's comma list. */
export function alpnList(protocols: readonly string[] | null | undefined): string | null {
  if (!protocols || protocols.length === 0) return null;
  return protocols.map((p) => haproxyWord(p, 'an ALPN protocol')).join(',');
}

/** The registry: every helper by name. */
export const HAPROXY_HELPERS = {
  formatDuration,
  formatAddress,
  expectedCodesCheck,
  tlsVersionWords,
  netmaskToPrefix,
  balanceFor,
  chunk,
  alpnList,
  quote: haproxyQuote,
  logFormatLiteral: haproxyLogFormatLiteral,
  word: haproxyWord,
} as const;
