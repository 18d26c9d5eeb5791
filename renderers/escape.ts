/**
 * Escaping for the engines' configuration syntaxes. Each function returns one
 * word that the engine's parser reads back as exactly the input, and that can
 * never end a line, start a comment or add a word.
 */

/** Thrown when a string cannot be represented safely (the validator should have refused it). */
export class UnsafeValueError extends Error {
  readonly code = 'UNSAFE_CONFIG_VALUE';
  constructor(readonly what: string, readonly value: string) {
    super(`${what} cannot be written to a configuration file: ${JSON.stringify(value.slice(0, 80))}`);
    this.name = 'UnsafeValueError';
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * haproxy weak quoting: `"..."` with `\`, `"` and `$` escaped (haproxy expands
 * `$VAR` inside double quotes, and reads `\n`, `\r`, `\t`, `\xNN` as escapes, so
 * every backslash is doubled). Control characters are refused: escaping them
 * would work for haproxy but no contract value needs them.
 */
export function haproxyQuote(s: string): string {
  if (CONTROL.test(s)) throw new UnsafeValueError('a value with a control character', s);
  return `"${s.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/**
 * haproxy log-format text (redirect locations, header values): `%` is the
 * format character, so a literal one is `%%`; the result is then weakly quoted.
 */
export function haproxyLogFormatLiteral(s: string): string {
  return haproxyQuote(s.replace(/%/g, '%%'));
}

/** A word that needs no quoting in haproxy (ids, numbers, enum values); anything else is refused. */
export function haproxyWord(s: string, what: string): string {
  if (!/^[A-Za-z0-9_.:\-/@+=!]+$/.test(s)) throw new UnsafeValueError(what, s);
  return s;
}

/**
 * An argument inside a sample fetch's parentheses (`req.hdr(NAME)`): an HTTP
 * token, which holds neither a delimiter of the argument list nor a quote.
 * `$` is literal outside double quotes.
 */
export function haproxyFetchArg(s: string, what: string): string {
  if (!/^[A-Za-z0-9!$%&*+.^_~-]{1,255}$/.test(s)) throw new UnsafeValueError(what, s);
  return s;
}

/**
 * keepalived string: keepalived has no escapes inside quotes, and `#`/`!` start
 * comments outside them, so only plain words are accepted.
 */
export function keepalivedWord(s: string, what: string): string {
  if (!/^[A-Za-z0-9_.:\-/@+=,]+$/.test(s)) throw new UnsafeValueError(what, s);
  return s;
}

/**
 * A URL path as one keepalived word: characters keepalived reads as comment
 * starts, quotes, escapes, parameters or separators are percent-encoded.
 */
export function keepalivedUrlPath(p: string): string {
  if (CONTROL.test(p) || !p.startsWith('/')) throw new UnsafeValueError('a URL path', p);
  return p.replace(/[!#$'"\\ {};]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
