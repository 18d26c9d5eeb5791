/**
 * L7 REGEX values as haproxy's PCRE2 reads them. JavaScript compiles the value
 * first; then the constructs PCRE2 refuses, or reads unlike JavaScript, are
 * refused with a message naming the construct (agreement with `haproxy -c` is
 * tested in test/integration/haproxy-check.test.ts).
 */

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
