/**
 * Strict string patterns for every value that may reach a rendered file.
 * Each pattern admits no control character, and none of the characters that
 * carry syntax in haproxy, nginx or keepalived configuration (quotes, `#`,
 * braces, `;`, backslash, whitespace) unless the field's meaning needs them and
 * the renderers escape them (only L7 rule values, see `L7_VALUE`).
 */
import { isIP } from 'node:net';

/** Object ids: Octavia's are UUIDs; anything id-like without separators is accepted. */
export const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Free text that never reaches a config file (names, descriptions): only no control characters. */
export const FREE_TEXT = /^[^\x00-\x1f\x7f]*$/;
/** RFC 7230 token, less the characters that are syntax in a config file (`#`, `'`, `` ` ``, `|`). */
export const HTTP_TOKEN = /^[A-Za-z0-9!$%&*+.^_~-]{1,255}$/;
/** Distinguished-name field name, as octavia-lib's DISTINGUISHED_NAME_FIELD_REGEX. */
export const DN_FIELD = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
/**
 * An L7 rule value: printable ASCII, space included. Quotes, `#`, `;`, braces and
 * backslash are allowed because the contract wants the value matched literally;
 * every renderer escapes them.
 */
export const L7_VALUE = /^[\x20-\x7e]{1,1024}$/;
/** A URL path for health checks: RFC 3986 path and query characters less `'`, `;` and `#`. */
export const URL_PATH = /^\/[A-Za-z0-9._~!$&()*+,=:@%/?-]{0,2047}$/;
/** Absolute http(s) URL for redirects: RFC 3986 characters less quotes, `;`, `#`, braces, backslash. */
export const REDIRECT_URL = /^https?:\/\/[A-Za-z0-9._~!$&()*+,=:@%/?[\]-]{1,2040}$/;
/** DNS name (Host header of health checks). */
export const DOMAIN_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
/** `expected_codes`: one code, a comma-separated list, or a range. */
export const EXPECTED_CODES = /^(?:[1-5]\d\d(?:,[1-5]\d\d)*|[1-5]\d\d-[1-5]\d\d)$/;
/** OpenSSL cipher string: names, `:`-separated, with `!`, `+`, `-`, `@STRENGTH`, `@SECLEVEL=n`. */
export const CIPHER_STRING = /^[A-Za-z0-9:+!@=._-]{1,2048}$/;
/** `schema_version`: MAJOR.MINOR. */
export const SCHEMA_VERSION = /^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$/;

/** True when `s` is a plain IPv4 or IPv6 address (no zone id, no brackets). */
export function isIpAddress(s: string): boolean {
  return !s.includes('%') && isIP(s) !== 0;
}

/** True when `s` is `ADDRESS/PREFIX` with a prefix in range for the family. */
export function isCidr(s: string): boolean {
  const m = /^([0-9A-Fa-f.:]+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const family = isIP(m[1]);
  const prefix = Number(m[2]);
  return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
}

/** True when the string compiles as a regular expression. */
export function compilesAsRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}
