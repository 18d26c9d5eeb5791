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

/** True when haproxy's PCRE2 accepts `s` as an ACL regex, as far as `regexProblem` can tell. */
export function compilesAsRegex(s: string): boolean {
  return regexProblem(s) === null;
}

const PCRE2_REFUSED = "is a regular expression construct haproxy's PCRE2 does not accept";
// escapes PCRE2 refuses outright (measured with haproxy 2.6 / PCRE2 10.42): outside a class, inside one
const BAD_ESCAPE = /[FIJLMOTUYijlmquy]/;
const BAD_CLASS_ESCAPE = /[ABCEFGIJKLMNOQRTUXYZijklmquyz]/;
const SET_ESCAPE = /[dDsSwWhHvVpP]/;
const POSIX_CLASSES = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);

interface Step {
  next: number;
  problem?: string;
  set?: boolean;
}
const refuse = (construct: string, why = ''): Step => ({ next: 0, problem: `"${construct}" ${PCRE2_REFUSED}${why}` });
/** For constructs PCRE2 takes but reads unlike JavaScript, so the JavaScript check could not vouch for them. */
const differs = (construct: string, how: string): Step => ({ next: 0, problem: `"${construct}" is not accepted: ${how}` });

/** One escape at `s[i] === '\'`: how far it reaches and whether PCRE2 refuses it. */
function escape(s: string, i: number, inClass: boolean, named: Set<string>, groups: number): Step {
  const c = s[i + 1] ?? '';
  const rest = s.slice(i + 1);
  // PCRE2 accepts \\p{L} but refuses unknown names; JavaScript reads them as text, so they cannot be checked here
  if (c === 'p' || c === 'P') return differs(`\\${c}`, "a Unicode property name cannot be checked against haproxy's PCRE2 here; use a character class");
  // PCRE2 takes any ASCII after \\c, JavaScript only a letter (else "\\c" is text): a letter reads the same in both
  if (c === 'c') return /^c[A-Za-z]/.test(rest) ? { next: i + 3 } : differs('\\c', "only \\c followed by a letter reads the same in haproxy's PCRE2 and JavaScript");
  if (c === 'x' && rest.startsWith('x{') && !/^x\{[0-9A-Fa-f]+\}/.test(rest)) return refuse('\\x{', ' without {hex digits}');
  if (c === 'o') {
    const m = /^o\{[0-7]+\}/.exec(rest);
    return m ? { next: i + 1 + m[0].length } : refuse('\\o', ' without {octal digits}');
  }
  if ((inClass ? BAD_CLASS_ESCAPE : BAD_ESCAPE).test(c) && c !== '') return refuse(`\\${c}`);
  if (inClass) return { next: i + 2, set: SET_ESCAPE.test(c) };
  // \\N{2} is \\N repeated; \\N{U+41} and \\N{name} are refused
  if (c === 'N' && rest.startsWith('N{') && !/^N\{\d+(,\d*)?\}/.test(rest)) return refuse('\\N{');
  if (c === 'Q') {
    // \\Q...\\E quotes literally in PCRE2, while JavaScript parsed the same text as a pattern: only
    // text without brackets, parentheses or `|` keeps the same structure for both
    const end = s.indexOf('\\E', i + 2);
    const quoted = s.slice(i + 2, end < 0 ? s.length : end);
    if (/[()[\]|\\]/.test(quoted)) return differs('\\Q', 'haproxy\'s PCRE2 quotes up to \\E what JavaScript reads as a pattern; quote only text without brackets, parentheses, "|" or "\\"');
    return { next: end < 0 ? s.length : end + 2 };
  }
  if (c === 'E') return differs('\\E', "without \\Q before it haproxy's PCRE2 ignores it, JavaScript reads a letter E");
  if (c === 'k' || c === 'g') {
    const m = (c === 'k' ? /^k<([A-Za-z_]\w*)>/ : /^g\{([A-Za-z_]\w*)\}/).exec(rest);
    return m && named.has(m[1]) ? { next: i + 1 + m[0].length } : refuse(`\\${c}`, ' except as a reference to a named group');
  }
  if (/[1-9]/.test(c)) {
    // a decimal number: PCRE2 reads a back-reference when it is one digit, starts with 8 or 9, or
    // names an existing group; haproxy compiles ACLs without auto-capture, so only named groups count
    const digits = /^\d+/.exec(rest)![0];
    const n = Number(digits);
    const backref = digits.length === 1 || c === '8' || c === '9' || n <= groups;
    if (backref && n > groups) return refuse(`\\${digits}`, ' (haproxy compiles ACL regexes without numbered capture groups; use a named group)');
    return { next: i + 1 + digits.length };
  }
  return { next: i + 2 };
}

/** A character class at `s[i] === '['`: JS and PCRE2 read `[]`, `[^]`, set-ranges and POSIX names differently. */
function charClass(s: string, i: number, named: Set<string>, groups: number): Step {
  const posixOutside = /^\[([:.=])[^\]\\]*\1\]/.exec(s.slice(i));
  if (posixOutside) return refuse(posixOutside[0], ' outside a character class (write [[:alpha:]])');
  let j = i + 1;
  if (s[j] === '^') j++;
  if (s[j] === ']') return differs(s.slice(i, j + 1), 'haproxy\'s PCRE2 reads a "]" first in a class as a literal, JavaScript as its end (write \\])');
  let prevSet: boolean | null = null;
  while (j < s.length && s[j] !== ']') {
    const posix = /^\[([:.=])([A-Za-z]*)\1\]/.exec(s.slice(j));
    let step: Step;
    if (posix) step = posix[1] === ':' && POSIX_CLASSES.has(posix[2]) ? { next: j + posix[0].length, set: true } : refuse(posix[0]);
    else if (s[j] === '\\') step = escape(s, j, true, named, groups);
    else if (s[j] === '-' && prevSet !== null && s[j + 1] !== ']') {
      const after = s[j + 1] === '\\' ? SET_ESCAPE.test(s[j + 2] ?? '') : /^\[:[A-Za-z]*:\]/.test(s.slice(j + 1));
      if (prevSet || after) return refuse(s.slice(i, s.indexOf(']', j + 1) + 1 || s.length), ' (a range with a class such as \\d as an end)');
      step = { next: j + 1, set: false };
    } else step = { next: j + 1, set: false };
    if (step.problem) return step;
    prevSet = !!step.set;
    j = step.next;
  }
  // JavaScript closed it earlier: the "]" it used ends a POSIX class for PCRE2
  if (j >= s.length) return refuse(s.slice(i), ' (PCRE2 reads a POSIX class in it, so the class is not closed)');
  return { next: j + 1 };
}

/** True when a lookbehind body can match strings of different lengths (PCRE2 10.42 refuses those). */
function variableLength(body: string): boolean {
  const stack: boolean[] = []; // true: inside a lookahead, where any length is fine
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    const free = stack.includes(true);
    if (c === '\\') i++;
    else if (c === '[') i = charClass(body, i, new Set(), 0).next - 1;
    else if (c === '(') {
      stack.push(body.startsWith('(?=', i) || body.startsWith('(?!', i));
      if (body[i + 1] === '?') i++;
    } else if (c === ')') stack.pop();
    else if (free) continue;
    else if (c === '*' || c === '+' || c === '?' || (c === '|' && stack.length > 0)) return true;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(body.slice(i));
      if (m && m[2] !== undefined && m[3] !== m[1]) return true;
    }
  }
  return false;
}

/**
 * Why haproxy's PCRE2 would refuse `s` as an ACL regex, or null. JavaScript
 * (without the `u` flag) compiles it first; then the constructs JS accepts and
 * PCRE2 10.42 does not, each found with `haproxy -c`: unknown letter escapes
 * (`\u0041`, `\p`, `\k`, bare `\c`), back-references to numbered groups
 * (`\8`; haproxy compiles ACLs without auto-capture), `[]` and `[^]`, ranges
 * with a class end (`[\d-z]`), unknown POSIX classes, and lookbehinds of
 * variable length. Conservative: it may refuse a few patterns PCRE2 accepts.
 */
export function regexProblem(s: string): string | null {
  try {
    new RegExp(s);
  } catch {
    return 'is not a valid regular expression';
  }
  const named = new Set([...s.matchAll(/\(\?<([A-Za-z_]\w*)>/g)].map((m) => m[1]));
  const groups: number[] = []; // start of each open group's body, -1 unless a lookbehind
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    let step: Step = { next: i + 1 };
    if (c === '\\') step = escape(s, i, false, named, named.size);
    else if (c === '[') step = charClass(s, i, named, named.size);
    else if (c === '(') groups.push(s.startsWith('(?<=', i) || s.startsWith('(?<!', i) ? i + 4 : -1);
    else if (c === ')') {
      const start = groups.pop() ?? -1;
      if (start >= 0 && variableLength(s.slice(start, i))) return `"${s.slice(start - 4, i + 1)}" ${PCRE2_REFUSED} (a lookbehind must have a fixed length)`;
    }
    if (step.problem) return step.problem;
    i = step.next;
  }
  return null;
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
