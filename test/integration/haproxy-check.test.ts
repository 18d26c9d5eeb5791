/**
 * `haproxy -c` accepts what the renderer writes: the contract examples staged
 * in a config dir (relative crt-list, ca-file and crl-file paths resolve
 * through `-C`), 30 generated valid documents, and every hostile variant the
 * validator lets through. Nothing is bound: -c only parses and loads files.
 */
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateDocument } from '../../schemas';
import { renderHaproxy } from '../../renderers';
import { checkConfig, tempDir, writeRendered } from '../lib/haproxy-harness';
import { exampleNames, loadExample } from '../lib/examples';
import { RENDER_CTX, valid, validExample } from '../lib/render-fixtures';
import { validDocArb } from '../lib/render-arbitraries';
import { acceptedHostileVariants, HOSTILE } from '../lib/render-hostile';

let root = '';
let n = 0;
beforeAll(() => {
  root = tempDir('amphora-check');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Renders into a fresh staged dir and runs `haproxy -c -C dir`. */
function check(doc: ReturnType<typeof valid>): { ok: boolean; output: string; cfg: string } {
  const dir = path.join(root, `stage-${n++}`);
  const out = renderHaproxy(doc, { ...RENDER_CTX, runDir: path.join(root, 'run') });
  writeRendered(dir, out);
  return { ...checkConfig(dir), cfg: out.files['haproxy.cfg'] };
}

test.each(exampleNames())('example %s passes haproxy -c from a staged dir', (name) => {
  const r = check(validExample(name));
  expect(r.output).not.toMatch(/WARNING|ALERT/);
  expect(r.ok).toBe(true);
});

test('a staged copy with relative TLS paths fails haproxy -c when checked from elsewhere (the paths really are relative)', () => {
  const dir = path.join(root, 'moved');
  writeRendered(dir, renderHaproxy(validExample('terminated-https-l7'), RENDER_CTX));
  fs.mkdirSync(path.join(root, 'empty'));
  const cfg = path.join(dir, 'haproxy.cfg');
  const elsewhere = require('node:child_process').spawnSync('haproxy', ['-c', '-q', '-C', path.join(root, 'empty'), '-f', cfg], { encoding: 'utf8' });
  expect(elsewhere.status).not.toBe(0);
});

test('30 generated valid documents all pass haproxy -c', () => {
  const docs = fc.sample(validDocArb(5), { numRuns: 30, seed: 4242 });
  for (const raw of docs) {
    const r = check(valid(raw));
    if (!r.ok) throw new Error(`haproxy -c refused a rendered valid document:\n${r.output}\n${r.cfg}`);
  }
});

test('every hostile variant the validator accepts passes haproxy -c', () => {
  let accepted = 0;
  for (const { place, value, doc } of acceptedHostileVariants()) {
    accepted++;
    const r = check(doc);
    if (!r.ok) throw new Error(`${place.name} <- ${JSON.stringify(value)}: haproxy -c refused:\n${r.output}`);
  }
  expect(accepted).toBeGreaterThan(Object.keys(HOSTILE).length * 3);
});

// what the validator says of a tls_ciphers string is what haproxy -c says of it, on a bind and on a server line
const CIPHER_STRINGS = [
  'HIGH', 'ECDHE-RSA-AES128-GCM-SHA256', 'FOO:HIGH', 'HIGH:TLS_AES_128_GCM_SHA256', 'HIGH:!aNULL:!MD5:@STRENGTH', 'AES+RSA', 'DEFAULT:@SECLEVEL=1',
  'AESa!b', 'FOO', '!ALL', 'HIGH:!ALL', '@STRENGTH', 'HIGH:@SECLEVEL=9', '@SECLEVEL=x', 'RC4', '3DES', '-HIGH', 'TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384',
];
test.each(CIPHER_STRINGS)('tls_ciphers %p: the validator agrees with haproxy -c', (ciphers) => {
  const raw = loadExample('terminated-https-l7');
  raw.loadbalancer.listeners[0].tls_ciphers = ciphers;
  raw.loadbalancer.pools[0].tls_ciphers = ciphers;
  const verdict = validateDocument(raw);
  // render what the validator would have refused too: the example with the string put in after validation
  const doc = validExample('terminated-https-l7');
  doc.loadbalancer.listeners[0].tls_ciphers = ciphers;
  doc.loadbalancer.pools[0].tls_ciphers = ciphers;
  const r = check(doc);
  if (verdict.ok !== r.ok) throw new Error(`validator ok=${verdict.ok}, haproxy -c ok=${r.ok}:\n${r.output}`);
  // the table holds both outcomes: accepted ones come first
  expect(r.ok).toBe(CIPHER_STRINGS.indexOf(ciphers) < 7);
  if (!verdict.ok) expect(verdict.errors.map((e) => e.path)).toEqual(['loadbalancer.listeners[0].tls_ciphers', 'loadbalancer.pools[0].tls_ciphers']);
});

// L7 REGEX values: what the validator says is what haproxy's PCRE2 says (haproxy 2.6, PCRE2 10.42)
const REGEX_ACCEPTED = [
  '^/(docs|help)(/.*)?$', '\\d+\\.\\w+', '\\x41\\x{42}', '\\cA', '[\\d-]', '[-\\w]', '[a-z-]', '[[:alpha:]_]', '(?<a>x)\\k<a>', '(?<a>x)\\1', '(?<a>x)\\g{a}',
  '\\012', '\\10', '(?<=ab|c)d', '(?<=[a-z]{3})b', '(?<=x(?=y+))z', '\\o{101}', '[\\8]', '\\e\\a\\h\\N', 'a{,3}', '(?:)', '\\Ga', '[\\cA]',
];
const REGEX_REFUSED = [
  '\\u0041', '\\u', '\\c', '\\k<a>', '\\8', '(a)\\1', '(?<a>x)\\2', '[\\d-z]', '[a-\\d]', '[\\s-a]', '[]', '[^]', '\\F', '\\y', '[\\B]', '[\\k]',
  '[[:foo:]]', '[[.a.]]', '(?<=a+)b', '(?<!a*)b', '(?<=a?)b', '(?<=a{1,2})b', '(?<=(ab|c))d', '(?<=\\d+)b', '\\g1', '\\o', '\\o{8}', '\\N{U+41}', '\\cé', '[\\u0041]',
];
// refused on purpose though PCRE2 takes them: JavaScript reads them otherwise, so the check could not vouch for them
const REGEX_REFUSED_ON_PURPOSE = ['\\p{L}', '\\pL', '[]a]', '[^]a]'];
function regexRuleDoc() {
  const raw = loadExample('terminated-https-l7');
  const rules = raw.loadbalancer.listeners.flatMap((l: any) => l.l7policies.flatMap((p: any) => p.rules));
  return { raw, rule: rules.find((r: any) => r.compare_type === 'REGEX') };
}
test.each([
  ...REGEX_ACCEPTED.map((v) => [v, true, true] as const),
  ...REGEX_REFUSED.map((v) => [v, false, false] as const),
  ...REGEX_REFUSED_ON_PURPOSE.map((v) => [v, false, true] as const),
])('regex %p: validator ok=%p, haproxy -c ok=%p', (value, ok, haproxyOk) => {
  const { raw, rule } = regexRuleDoc();
  rule.value = value;
  const verdict = validateDocument(raw);
  const doc = validExample('terminated-https-l7');
  const id = rule.l7rule_id;
  for (const l of doc.loadbalancer.listeners) for (const p of l.l7policies) for (const r of p.rules) if (r.l7rule_id === id) r.value = value;
  const r = check(doc);
  expect({ validator: verdict.ok, haproxy: r.ok }).toEqual({ validator: ok, haproxy: haproxyOk });
  if (!verdict.ok) expect(verdict.errors).toEqual([expect.objectContaining({ path: expect.stringMatching(/\.rules\[\d+\]\.value$/) })]);
});

test('300 generated regex values: none that the validator accepts is refused by haproxy -c', () => {
  const tokens = ['a', '\\', '\\d', '\\w', '[', ']', '^', '-', '(', ')', '(?<n>', '(?<=', '(?=', '(?:', '|', '*', '+', '?', '{2}', '{1,2}', '\\1', '\\k<n>', '\\c', '\\x', '\\o{7}', '\\p', '\\N', '[:alpha:]', '[:x:]', '.', '$', '8', 'u', '\\Q', '\\E', '\\0'];
  const compiles = (s: string) => { try { return !!new RegExp(s); } catch { return false; } };
  const values = fc.sample(fc.array(fc.constantFrom(...tokens), { minLength: 1, maxLength: 6 }).map((t) => t.join('')).filter(compiles), { numRuns: 300, seed: 2606 });
  const { raw, rule } = regexRuleDoc();
  const dir = path.join(root, 'regex-fuzz');
  fs.mkdirSync(dir);
  const wrong: string[] = [];
  let accepted = 0;
  for (const value of values) {
    rule.value = value;
    if (!validateDocument(raw).ok) continue;
    accepted++;
    // only the ACL matters here: a one-line config is much faster than the rendered example
    fs.writeFileSync(path.join(dir, 'haproxy.cfg'), `defaults\n  mode http\nfrontend f\n  bind 127.10.11.99:9080\n  acl r path -m reg -- "${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"\n`);
    if (!checkConfig(dir).ok) wrong.push(value);
  }
  expect(wrong).toEqual([]);
  expect(accepted).toBeGreaterThan(50);
});
