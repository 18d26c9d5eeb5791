/**
 * Escaping for nginx's configuration syntax. nginx splits a line into words at
 * spaces; `;` ends a directive, `{`/`}` open and close blocks and `#` starts a
 * comment outside quotes. Inside `"..."` only `\"`, `\'`, `\\` (and `\t`,
 * `\r`, `\n`) are escapes and every other backslash is kept as it is
 * (ngx_conf_read_token), so doubling each backslash and escaping each `"`
 * gives back exactly the input. `$` starts a variable in the directives that
 * take "complex values" (return, add_header, map values, proxy_pass), but not
 * in a map's source patterns: callers say which they print.
 */
import { UnsafeValueError } from '../escape';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** A double-quoted nginx word that reads back as exactly `s` where `$` is literal (map patterns). */
export function nginxQuote(s: string): string {
  if (CONTROL.test(s)) throw new UnsafeValueError('a value with a control character', s);
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * A double-quoted complex value (text nginx expands variables in): `$` cannot
 * be written literally there, so a value holding one is refused (the validator
 * keeps `$` out of redirect URLs, the only such values).
 */
export function nginxQuoteText(s: string): string {
  if (s.includes('$')) throw new UnsafeValueError('a value with "$" in an nginx text', s);
  return nginxQuote(s);
}

/** A bare nginx word (ids, numbers, addresses, enum values); anything else is refused. */
export function nginxWord(s: string, what: string): string {
  if (!/^[A-Za-z0-9_.:\-/@+=!~[\]]+$/.test(s)) throw new UnsafeValueError(what, s);
  return s;
}

const MAP_SPECIAL = new Set(['default', 'hostnames', 'include', 'volatile']);

/** An exact map key that is a safe word: a `\` before the words map reads as its own parameters. */
export function mapKey(s: string): string {
  const w = nginxWord(s, 'a map key');
  return MAP_SPECIAL.has(w) ? `\\${w}` : w;
}

/** `s` as a PCRE pattern matching exactly the text `s`: each PCRE metacharacter escaped. */
export function regexLiteral(s: string): string {
  if (CONTROL.test(s)) throw new UnsafeValueError('a value with a control character', s);
  // outside a class these are PCRE's only metacharacters (no extended mode: space and # are text)
  return s.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/** A map source pattern: `"~REGEX"` (case-sensitive) or `"~*REGEX"`, quoted for nginx. */
export function mapRegex(re: string, caseless = false): string {
  return nginxQuote(`${caseless ? '~*' : '~'}${re}`);
}

export { nginxRegexProblem } from '../../schemas/capabilities-nginx';
