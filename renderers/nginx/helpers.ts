/**
 * Small pure functions the nginx view model is built with, in one registry so
 * each is unit-tested table style (helpers.test.ts).
 */
import { isIP } from 'node:net';
import { netmaskPrefix } from '../../schemas/capabilities-nginx';
import { UnsafeValueError } from '../escape';
import { mapRegex, nginxQuote, nginxQuoteText, nginxWord, regexLiteral } from './quote';
import type { BlockView } from './view-model';

/** nginx keeps timers in signed 32-bit milliseconds: about 24.8 days is the longest time it reads. */
export const MAX_NGINX_MS = 2147483647;
/** What "0 = no timeout" of the document becomes: 24 days, the contract's longest timeout, under nginx's bound. */
export const NO_TIMEOUT = '24d';

/** Milliseconds as an nginx time (`50s`, `1500ms`); 0 (no timeout in the contract) is NO_TIMEOUT. */
export function formatTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_NGINX_MS) throw new UnsafeValueError('a duration', String(ms));
  if (ms === 0) return NO_TIMEOUT;
  if (ms % 60000 === 0 && ms >= 600000) return `${ms / 60000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The shorter of two contract timeouts (0 = none), for nginx's one stream timeout. */
export function shorterTimeout(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

/** `ip:port` as nginx reads it in `listen` and `server`; IPv6 in brackets. */
export function formatAddress(ip: string, port: number): string {
  const fam = isIP(ip);
  if (fam === 0) throw new UnsafeValueError('an IP address', ip);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UnsafeValueError('a port', String(port));
  return fam === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const NGINX_TLS: Record<string, string> = { SSLv3: 'SSLv3', TLSv1: 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };

/** `tls_versions` as nginx's protocol list: exactly the versions named (nginx takes a list, not a range). */
export function tlsProtocols(versions: readonly string[] | null | undefined): string | null {
  if (!versions || versions.length === 0) return null;
  return versions.map((v) => NGINX_TLS[v] ?? nginxWord(v, 'a TLS version')).join(' ');
}

/** An OpenSSL cipher string as one nginx word (the validator's pattern keeps it plain). */
export function cipherList(s: string | null | undefined): string | null {
  return s ? nginxWord(s, 'tls_ciphers') : null;
}

/**
 * The `hash` key of SOURCE_IP persistence for a granularity: the client
 * address, or (IPv4, octet-aligned masks only: nginx cannot do bit
 * arithmetic) the variable of its leading octets (see sourceMaskBlock).
 * Null when nginx cannot hash on that mask (refused by the capability check).
 */
export function sourceHashKey(granularity: string | null | undefined): string | null {
  const prefix = granularity ? netmaskPrefix(granularity) : 32;
  if (prefix === null || prefix % 8 !== 0) return null;
  return prefix === 32 ? '$remote_addr' : `$amph_src${prefix}`;
}

/** The map that gives `$amph_srcN`: the first N/8 octets of an IPv4 client, an IPv6 client whole. */
export function sourceMaskBlock(prefix: number): BlockView {
  const octets = prefix / 8;
  const re = `^(?<amph_s${prefix}>${Array(octets).fill('\\d+').join('\\.')})${octets ? '\\.' : ''}`;
  return { head: `map $remote_addr $amph_src${prefix}`, lines: [`${mapRegex(re)} $amph_s${prefix};`, 'default $remote_addr;'] };
}

/** A `Set-Cookie` value inserted by nginx: name=value, idle lifetime, whole site. */
export function setCookie(name: string, value: string, maxAgeSec: number): string {
  return nginxQuote(`${name}=${value}; Max-Age=${maxAgeSec}; Path=/`);
}

export { netmaskPrefix } from '../../schemas/capabilities-nginx';

/** The registry: every helper by name. */
export const NGINX_HELPERS = {
  formatTime,
  shorterTimeout,
  formatAddress,
  tlsProtocols,
  cipherList,
  netmaskPrefix,
  sourceHashKey,
  sourceMaskBlock,
  setCookie,
  quote: nginxQuote,
  quoteText: nginxQuoteText,
  word: nginxWord,
  regexLiteral,
  mapRegex,
} as const;
