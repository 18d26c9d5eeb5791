/** The nginx escaping functions, table style, checked with nginx's own word splitting (test/lib/nginx-parse). */
import { UnsafeValueError } from '../escape';
import { mapKey, mapRegex, nginxQuote, nginxQuoteText, nginxRegexProblem, nginxWord, regexLiteral } from './quote';
import { parseNginx } from '../../test/lib/nginx-parse';
import { HOSTILE } from '../../test/lib/render-hostile';

/** The single argument nginx reads from `directive WORD;`. */
const readBack = (word: string) => {
  const ds = parseNginx(`x ${word};`);
  expect(ds).toHaveLength(1);
  expect(ds[0].args).toHaveLength(1);
  return ds[0].args[0];
};

const PRINTABLE = Object.values(HOSTILE).filter((v) => !/[\x00-\x1f]/.test(v));

describe('nginxQuote', () => {
  test.each(PRINTABLE.map((v) => [JSON.stringify(v), v]))('%s reads back exactly, as one word of one directive', (_n, v) => {
    expect(readBack(nginxQuote(v))).toBe(v);
  });
  test.each([
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['a\\nb', '"a\\\\nb"'],
    ["it's", `"it's"`],
    ['a;b{c}#d', '"a;b{c}#d"'],
    ['$x', '"$x"'],
  ])('%p -> %p', (v, want) => expect(nginxQuote(v)).toBe(want));
  test.each(['a\nb', 'a\rb', 'a\0b', 'a\tb', 'a\x7fb'])('refuses a control character in %p', (v) => {
    expect(() => nginxQuote(v)).toThrow(UnsafeValueError);
  });
});

test('nginxQuoteText refuses "$" (nginx would read a variable) and quotes the rest', () => {
  expect(() => nginxQuoteText('https://x/$host')).toThrow(UnsafeValueError);
  expect(nginxQuoteText('https://x/a?b=(1)&c=!*')).toBe('"https://x/a?b=(1)&c=!*"');
});

describe('nginxWord', () => {
  test.each(['abc', 'p-1.x_y', '127.0.0.1:80', '[::1]:443', 'pool~listener', 'HIGH:!aNULL:@STRENGTH', '/run/amphora-agent/nginx.pid', '10.0.0.0/8'])('accepts %p', (w) => {
    expect(nginxWord(w, 'w')).toBe(w);
    expect(readBack(w)).toBe(w);
  });
  test.each(['', 'a b', 'a;b', 'a{', 'a}', 'a#b', 'a"b', "a'b", 'a\\b', 'a$b', 'a,b', 'a\nb'])('refuses %p', (w) => {
    expect(() => nginxWord(w, 'w')).toThrow(UnsafeValueError);
  });
});

describe('regexLiteral', () => {
  const values = [...PRINTABLE, 'a.b', '^x$', '(a|b)*', '[x]{1}', 'a+b?', '\\d', 'ends\\'];
  test.each(values.map((v) => [JSON.stringify(v), v]))('%s matches exactly itself', (_n, v) => {
    const re = new RegExp(`^${regexLiteral(v)}$`);
    expect(re.test(v)).toBe(true);
    expect(re.test(`${v}x`)).toBe(false);
    expect(re.test(v.slice(1))).toBe(v.length === 0);
  });
  test('escapes only PCRE metacharacters', () => {
    expect(regexLiteral('a/b-c_d e#f')).toBe('a/b-c_d e#f');
    expect(regexLiteral('a.b*c')).toBe('a\\.b\\*c');
  });
});

test('mapRegex quotes a case-sensitive or caseless pattern that nginx reads back with its tilde', () => {
  expect(readBack(mapRegex('^a"b\\.c$'))).toBe('~^a"b\\.c$');
  expect(readBack(mapRegex('^x$', true))).toBe('~*^x$');
});

test.each([
  ['m1', 'm1'],
  ['default', '\\default'],
  ['include', '\\include'],
  ['volatile', '\\volatile'],
  ['hostnames', '\\hostnames'],
])('mapKey %p -> %p', (k, want) => expect(mapKey(k)).toBe(want));

test.each([
  ['^/api/[0-9]+$', null],
  ['^(a|b)$', null],
  ['(?:x)', null],
  ['(?=x)y', null],
  ['(?<=a)b', null],
  ['(?<!a)b', null],
  ['[(?<n>]', null],
  ['\\(?<n>x\\)', null],
  ['(?<host>.*)', 'named'],
  ['(?P<x>a)', 'named'],
  ["(?'x'a)", 'named'],
  ['a(?<amph_pv>b)', 'named'],
])('nginxRegexProblem(%p)', (re, want) => {
  const p = nginxRegexProblem(re);
  if (want === null) expect(p).toBeNull();
  else expect(p).toMatch(/named group/);
});
