/**
 * Strict string patterns for every value that may reach a rendered file.
 * Each pattern admits no control character, and none of the characters that
 * carry syntax in haproxy, nginx or keepalived configuration (quotes, `#`,
 * braces, `;`, `$`, backslash, whitespace) unless the field's meaning needs
 * them and the renderers escape them (only L7 rule values, see `L7_VALUE`).
 *
 * Free text (`FREE_TEXT`: names, descriptions, project ids, `*_ref`,
 * `primary_cn`) is only kept free of control characters: renderers must never
 * print it into a configuration file (they name things by id).
 */
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';

/** Object ids: Octavia's are UUIDs (and sha1 hex for TLS containers); anything id-like without separators is accepted. */
export const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Free text that never reaches a config file: no C0/C1 control characters (Octavia's INVALID_CONFIG_CHARS_RE), no line separators. */
export const FREE_TEXT = /^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$/;
/**
 * Header or cookie name: the RFC 7230 token less the characters that are
 * syntax in some config file (`#`, `'`, `` ` ``, `|`, `$`, `%`).
 */
export const HTTP_TOKEN = /^[A-Za-z0-9!&*+.^_~-]{1,255}$/;
/** A Neutron port binding vnic_type (normal, direct, direct-physical, macvtap...). */
export const VNIC_TYPE = /^[a-z][a-z0-9_-]{0,63}$/;
/** Distinguished-name field name, as octavia-lib's DISTINGUISHED_NAME_FIELD_REGEX (bounded). */
export const DN_FIELD = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
/**
 * An L7 rule value: printable ASCII, space included, at most 255 characters
 * (Octavia's limit). Quotes, `#`, `;`, `$`, braces and backslash are allowed
 * because the contract wants the value matched literally; every renderer
 * escapes them. Control characters (tab, CR, LF, NUL...) never are.
 */
export const L7_VALUE = /^[\x20-\x7e]{1,255}$/;
/** A cookie value as Octavia's HTTP_COOKIE_VALUE_REGEX (RFC 6265 cookie-octets). */
export const COOKIE_VALUE = /^[A-Za-z0-9!#$%&'()*+\-./:<=>?@[\]^_`{|}~]+$/;
/** A URL path for health checks: RFC 3986 path and query characters less `'`, `;`, `$` and `#`. */
export const URL_PATH = /^\/[A-Za-z0-9._~!&()*+,=:@%/?-]{0,2047}$/;
/** Absolute http(s) URL for redirects: RFC 3986 characters less quotes, `;`, `$`, `#`, braces, backslash. */
export const REDIRECT_URL = /^https?:\/\/[A-Za-z0-9[][A-Za-z0-9._~!&()*+,=:@%/?[\]-]{0,2039}$/;
/** DNS name (Host header of health checks). */
export const DOMAIN_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
/** `expected_codes`: one code, a comma-separated list (spaces around commas allowed, as Octavia does), or a range. */
export const EXPECTED_CODES = /^(?:[1-5]\d\d(?: *, *[1-5]\d\d)*|[1-5]\d\d-[1-5]\d\d)$/;
/** OpenSSL cipher string: Octavia's VALID_CIPHER_RE (names, `:`, `!`, `+`, `-`, `@STRENGTH`, `@SECLEVEL=n`). */
export const CIPHER_STRING = /^[A-Za-z0-9:+!@=._-]{1,2048}$/;
/** `schema_version`: MAJOR.MINOR. */
export const SCHEMA_VERSION = /^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$/;
/** Characters a PEM text may hold (base64, armour lines, RFC 1421 headers); the structure is checked in `pem.ts`. */
export const PEM_TEXT = /^[A-Za-z0-9+/=\r\n :,().-]+$/;
/** Characters of an IP address (the address itself is parsed by `isIpAddress`). */
export const IP_CHARS = /^[0-9A-Fa-f.:]{2,45}$/;
/** Characters of a CIDR (parsed by `isCidr`). */
export const CIDR_CHARS = /^[0-9A-Fa-f.:]{2,45}\/\d{1,3}$/;
/** Opaque references (`*_ref`): names only, never fetched nor rendered. */
export const REF = /^[\x21-\x7e]{1,1024}$/;

/** True when `s` is a plain IPv4 or IPv6 address (no zone id, no brackets, no leading zeros in IPv4). */
export function isIpAddress(s: string): boolean {
  return !s.includes('%') && isIP(s) !== 0;
}

/** True when `s` is `ADDRESS/PREFIX` with a prefix in range for the family. */
export function isCidr(s: string): boolean {
  const m = /^([0-9A-Fa-f.:]+)\/(0|[1-9]\d{0,2})$/.exec(s);
  if (!m) return false;
  const family = isIP(m[1]);
  const prefix = Number(m[2]);
  return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
}

/** 4 or 6 for an address or CIDR, 0 otherwise. */
export function ipFamily(s: string): 0 | 4 | 6 {
  return isIP(s.split('/')[0]) as 0 | 4 | 6;
}

/** True when `s` is an absolute http(s) URL with a host, as a redirect target must be. */
export function isRedirectUrl(s: string): boolean {
  if (!REDIRECT_URL.test(s)) return false;
  try {
    const u = new URL(s);
    return u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Distinct cipher strings remembered per process (bounded: a caller may send many distinct ones). */
const CIPHER_CACHE_MAX = 1024;
// a cache, not state: the answer for a string never changes within a process, and an
// OpenSSL context costs ~0.1 ms, too much for documents that repeat one string on 1,000 listeners
const cipherCache = new Map<string, string | null>();

/**
 * Why OpenSSL would refuse `s` as haproxy's `ciphers` (null when it accepts it).
 * haproxy hands the whole string to SSL_CTX_set_cipher_list, which knows only
 * TLS 1.2-and-lower ciphers and fails when none is selected; TLS 1.3 suites
 * (`TLS_*`) are haproxy's separate `ciphersuites` and match nothing there.
 * node's `ciphers` would route `TLS_*` to the 1.3 suites, so they are dropped
 * before asking it: what is left must select a cipher, as in haproxy -c.
 */
export function cipherStringProblem(s: string): string | null {
  const hit = cipherCache.get(s);
  if (hit !== undefined) return hit;
  const legacy = s.split(':').filter((c) => c !== '' && !c.startsWith('TLS_')).join(':');
  let problem: string | null = null;
  if (legacy === '') problem = 'must select at least one TLS 1.2 (or lower) cipher: TLS 1.3 suites ("TLS_...") are not set by tls_ciphers';
  else {
    try {
      createSecureContext({ ciphers: legacy });
    } catch {
      problem = 'must be an OpenSSL cipher string that selects at least one cipher this OpenSSL knows';
    }
  }
  if (cipherCache.size >= CIPHER_CACHE_MAX) cipherCache.clear();
  cipherCache.set(s, problem);
  return problem;
}

export { compilesAsRegex, regexProblem } from './pcre2';
