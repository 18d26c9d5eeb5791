/**
 * Hostile strings against every string field of the document, generated from
 * the schema itself so that a new field cannot be missed: every field that
 * may reach a rendered file refuses configuration syntax, free text refuses
 * control characters, PEM texts refuse anything but PEM, and L7 rule values
 * refuse control characters but keep quotes and the like (renderers escape).
 */
import { z } from 'zod';
import { strictSchemas } from './document';
import { clone, fieldOf, fullDocument, Leaf, setAt, stringLeaves } from './testing/fixtures';
import { makeTestPki } from './testing/pki';
import { formatPath } from './raw';
import { formatZodIssues, validateDocument } from './validate';

/** Fields never printed into a configuration file (renderers name things by id). */
const FREE_TEXT_FIELDS = new Set([
  'name', 'description', 'project_id', 'primary_cn', 'passphrase', 'availability_zone',
  'default_tls_container_ref', 'sni_container_refs', 'client_ca_tls_container_ref', 'client_crl_container_ref',
  'tls_container_ref', 'ca_tls_container_ref', 'crl_container_ref',
]);
/** PEM texts: written to their own files, parsed by the PEM pass. */
const PEM_FIELDS = new Set([
  'certificate', 'private_key', 'intermediates', 'client_ca_tls_container_data', 'client_crl_container_data',
  'ca_tls_container_data', 'crl_container_data',
]);
const HOSTILE: [string, string][] = [
  ['newline', '\n'], ['carriage return', '\r'], ['double quote', '"'], ["single quote", "'"], ['hash', '#'],
  ['open brace', '{'], ['close brace', '}'], ['semicolon', ';'], ['NUL', '\0'], ['backslash', '\\'],
  ['dollar', '$'], ['space', ' '], ['tab', '\t'],
];
const CONTROL: [string, string][] = [['newline', '\n'], ['carriage return', '\r'], ['NUL', '\0'], ['tab', '\t'], ['DEL', '\x7f'], ['C1 NEL', '\x85']];

/** Names of every field of the document schema whose value is (or holds) a string. */
function stringFieldNames(schema: z.ZodType): Set<string> {
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const holdsString = (s: any): boolean => {
    const d = s._zod.def;
    switch (d.type) {
      case 'string': case 'enum': return true;
      case 'optional': case 'nullable': case 'default': return holdsString(d.innerType);
      case 'pipe': return holdsString(d.in);
      case 'array': return holdsString(d.element);
      case 'union': return d.options.some(holdsString);
      default: return false;
    }
  };
  const walk = (s: any): void => {
    if (seen.has(s)) return;
    seen.add(s);
    const d = s._zod.def;
    if (d.type === 'object') {
      for (const [k, v] of Object.entries(d.shape)) {
        if (holdsString(v)) names.add(k);
        walk(v);
      }
    } else if (d.type === 'optional' || d.type === 'nullable' || d.type === 'default') walk(d.innerType);
    else if (d.type === 'pipe') walk(d.in);
    else if (d.type === 'array') walk(d.element);
    else if (d.type === 'union') d.options.forEach(walk);
    else if (d.type === 'record') walk(d.valueType);
  };
  walk(schema);
  return names;
}

const pki = makeTestPki();
const full = fullDocument(pki);
const leaves = stringLeaves(full).filter((l) => l.path[1] !== 'flavor');
const isL7Value = (l: Leaf) => fieldOf(l.path) === 'value' && l.path.includes('rules');
const configLeaves = leaves.filter((l) => !FREE_TEXT_FIELDS.has(fieldOf(l.path)) && !PEM_FIELDS.has(fieldOf(l.path)) && !isL7Value(l));
const freeLeaves = leaves.filter((l) => FREE_TEXT_FIELDS.has(fieldOf(l.path)));
const pemLeaves = leaves.filter((l) => PEM_FIELDS.has(fieldOf(l.path)));
/** Every error of validateDocument for the full document with one leaf replaced. */
const errorsWith = (l: Leaf, value: string) => {
  const doc = clone(full);
  setAt(doc, l.path, value);
  const r = validateDocument(doc);
  return r.ok ? [] : r.errors;
};
/**
 * The field-rule errors alone (validateDocument reports all of them, and
 * the cross and PEM passes add errors only at other paths); fast enough to
 * try every character at every field.
 */
const scratch = clone(full);
const fieldErrorsWith = (l: Leaf, value: string) => {
  // zod does not mutate its input, so one scratch copy is changed and restored
  setAt(scratch, l.path, value);
  try {
    const r = strictSchemas.document.safeParse(scratch);
    return r.success ? [] : formatZodIssues(r.error.issues);
  } finally {
    setAt(scratch, l.path, l.value);
  }
};
const name = (l: Leaf) => formatPath(l.path);

describe('the full fixture', () => {
  it('validates', () => {
    const r = validateDocument(clone(full));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });
  it('sets every string field of the schema at least once', () => {
    const present = new Set(leaves.map((l) => fieldOf(l.path)));
    // insert_headers values are strings under header names, not fields
    for (const h of Object.keys(full.loadbalancer.listeners[0].insert_headers)) present.add(h);
    const missing = [...stringFieldNames(strictSchemas.document)].filter((f) => !present.has(f) && f !== 'insert_headers');
    expect(missing).toEqual([]);
  });
});

/** The hostile characters whose injection (appended, prepended, inserted) the field did not refuse. */
function accepted(leaf: Leaf, chars: [string, string][]): string[] {
  const at = name(leaf);
  return chars
    .filter(([, ch]) => [leaf.value + ch, ch + leaf.value, leaf.value.slice(0, 1) + ch + leaf.value.slice(1)].some((v) => !fieldErrorsWith(leaf, v).some((e) => e.path === at)))
    .map(([what]) => what);
}

describe('fields that reach a config file refuse config syntax', () => {
  it.each(configLeaves.map((l) => [name(l), l] as const))('%s', (_n, leaf) => {
    expect(accepted(leaf, HOSTILE)).toEqual([]);
  });
});

describe('validateDocument reports a hostile value at its path, with the other passes running', () => {
  const sample = configLeaves.filter((_l, i) => i % 17 === 0);
  it.each(sample.map((l) => [name(l), l] as const))('%s', (_n, leaf) => {
    expect(errorsWith(leaf, leaf.value + '\n').map((e) => e.path)).toContain(name(leaf));
  });
});

describe('free-text fields refuse control characters', () => {
  it.each(freeLeaves.map((l) => [name(l), l] as const))('%s', (_n, leaf) => {
    expect(accepted(leaf, CONTROL)).toEqual([]);
  });
});

describe.each(pemLeaves.map((l) => [name(l), l] as const))('%s (PEM)', (_n, leaf) => {
  it.each([
    ['a comment line', '\n# injected\n'],
    ['a line of words', '\ninclude /etc/passwd\n'],
    ['a brace', '\n}\n'],
    ['a NUL', '\0'],
  ])('refuses %s after the PEM blocks', (_what, junk) => {
    expect(errorsWith(leaf, leaf.value + junk).map((e) => e.path)).toContain(name(leaf));
  });
});

describe('L7 rule values', () => {
  const pathRule = ['loadbalancer', 'listeners', 0, 'l7policies', 1, 'rules', 0, 'value'];
  const headerRule = ['loadbalancer', 'listeners', 0, 'l7policies', 0, 'rules', 0, 'value'];
  it.each(CONTROL)('refuse a %s', (_what, ch) => {
    for (const p of [pathRule, headerRule]) {
      const leaf = { path: p, value: '' };
      expect(errorsWith(leaf, `/a${ch}b`).map((e) => e.path)).toContain(formatPath(p));
    }
  });
  it.each(['"', "'", '#', '{', '}', ';', '\\', '$', '&', '%', ' ', '`', '|'])('keep %j (matched literally, escaped by renderers)', (ch) => {
    for (const p of [pathRule, headerRule]) {
      const doc = clone(full);
      setAt(doc, p, `/a${ch}b`);
      const r = validateDocument(doc);
      expect(r.ok ? [] : r.errors).toEqual([]);
      if (r.ok) expect((r.doc.loadbalancer.listeners[0].l7policies[p[4] as number].rules[0] as { value: string }).value).toBe(`/a${ch}b`);
    }
  });
});
