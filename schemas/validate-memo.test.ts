/**
 * Validation by changes (ValidationMemo): the same result as validating the
 * whole document, whatever changed; unchanged listeners and pools reused and
 * frozen; the renderers read them without changing them.
 */
import { renderHaproxy } from '../renderers/haproxy';
import { GOLDEN_CONTEXT } from '../renderers/haproxy/golden-context';
import { renderNginx } from '../renderers/nginx';
import { NGINX_GOLDEN_CONTEXT } from '../renderers/nginx/golden-context';
import { exampleNames, loadExample } from '../test/lib/examples';
import { genLarge } from '../test/lib/gen-large';
import { createValidationMemo, validateDocument, type ValidationMemo } from './validate';
import { SCHEMA_MAJOR, SCHEMA_MINOR } from './version';

type Doc = any;
const copy = (d: Doc): Doc => JSON.parse(JSON.stringify(d));

/** Validates `next` with a memo that saw `first`, and checks the result equals a validation without one. */
function same(first: Doc, next: Doc, memo: ValidationMemo = createValidationMemo()) {
  validateDocument(copy(first), memo);
  const byParts = validateDocument(copy(next), memo);
  expect(byParts).toEqual(validateDocument(copy(next)));
  // the same text too: key order included (the validated document crosses as JSON)
  expect(JSON.stringify(byParts)).toBe(JSON.stringify(validateDocument(copy(next))));
  return byParts;
}

const large = () => genLarge(20, 3, 2) as Doc;

describe('validateDocument with a memo', () => {
  it.each(exampleNames())('%s: the same result as without one', (f) => {
    const d = loadExample(f);
    same(d, d);
    const changed = copy(d);
    changed.loadbalancer.listeners[0].timeout_client_data = 12345;
    same(d, changed);
  });

  it('the same result when listeners and pools change, come, go and move', () => {
    const d = large();
    const variants: ((x: Doc) => void)[] = [
      (x) => (x.loadbalancer.listeners[3].connection_limit = 77),
      (x) => x.loadbalancer.listeners.splice(5, 1),
      (x) => x.loadbalancer.listeners.reverse(),
      (x) => x.loadbalancer.pools[2].members.pop(),
      (x) => (x.loadbalancer.pools[1].members[0].weight = 9),
      (x) => x.loadbalancer.listeners.push({ ...copy(x.loadbalancer.listeners[0]), listener_id: 'l-new', protocol_port: 9999, l7policies: [] }),
      (x) => (x.loadbalancer.vip_address = '203.0.113.9'),
      (x) => (x.amphora = null),
    ];
    for (const change of variants) {
      const next = copy(d);
      change(next);
      const r = same(d, next);
      expect(r.ok).toBe(true);
    }
  });

  it('the same errors, at the same paths, for a document that a memo part would have let through', () => {
    const d = large();
    const memo = createValidationMemo();
    // a field error in a listener never seen, a cross-object error among listeners the memo holds, a bad envelope
    const badField = copy(d);
    badField.loadbalancer.listeners[2].protocol_port = 0;
    const dupPort = copy(d);
    dupPort.loadbalancer.listeners[1].protocol_port = dupPort.loadbalancer.listeners[0].protocol_port;
    dupPort.loadbalancer.listeners[1].protocol = dupPort.loadbalancer.listeners[0].protocol;
    const badLb = copy(d);
    badLb.loadbalancer.vip_address = 'not-an-address';
    const notArray = copy(d);
    notArray.loadbalancer.pools = { p: 1 };
    for (const next of [badField, dupPort, badLb, notArray]) {
      const r = same(d, next, memo);
      expect(r.ok).toBe(false);
    }
    const r = validateDocument(copy(badField), memo);
    expect(r.ok ? [] : r.errors).toContainEqual({ path: 'loadbalancer.listeners[2].protocol_port', message: 'must be at least 1' });
  });

  it('reuses an unchanged listener or pool as it is, frozen, and validates a changed one anew', () => {
    const d = large();
    const memo = createValidationMemo();
    const a = validateDocument(copy(d), memo);
    const next = copy(d);
    next.generation++;
    next.loadbalancer.listeners[0].timeout_client_data = 4242;
    const b = validateDocument(copy(next), memo);
    if (!a.ok || !b.ok) throw new Error('the documents should validate');
    expect(b.doc.loadbalancer.listeners[1]).toBe(a.doc.loadbalancer.listeners[1]);
    expect(b.doc.loadbalancer.pools[0]).toBe(a.doc.loadbalancer.pools[0]);
    expect(b.doc.loadbalancer.listeners[0]).not.toBe(a.doc.loadbalancer.listeners[0]);
    expect(b.doc.loadbalancer.listeners[0].timeout_client_data).toBe(4242);
    expect(Object.isFrozen(b.doc.loadbalancer.listeners[1])).toBe(true);
    expect(Object.isFrozen(b.doc.loadbalancer.pools[0].members[0])).toBe(true);
    // what it keeps is the last document's parts: the first one's changed listener is gone
    expect(memo.listeners.size).toBe(next.loadbalancer.listeners.length);
  });

  it('starts over when a document of a newer minor is parsed leniently, and the result is the same', () => {
    const d = large();
    const newer = copy(d);
    newer.schema_version = `${SCHEMA_MAJOR}.${SCHEMA_MINOR + 1}`;
    newer.loadbalancer.listeners[0].some_future_field = 'x';
    const memo = createValidationMemo();
    same(d, newer, memo);
    expect(memo.strict).toBe(false);
    same(newer, d, memo);
    expect(memo.strict).toBe(true);
  });

  it.each(exampleNames())('%s: both renderers read the frozen parts without changing them', (f) => {
    const d = loadExample(f);
    const memo = createValidationMemo();
    validateDocument(copy(d), memo);
    const r = validateDocument(copy(d), memo);
    const fresh = validateDocument(copy(d));
    if (!r.ok || !fresh.ok) throw new Error('the example should validate');
    expect(Object.isFrozen(r.doc.loadbalancer.listeners[0])).toBe(true);
    expect(renderHaproxy(r.doc, GOLDEN_CONTEXT)).toEqual(renderHaproxy(fresh.doc, GOLDEN_CONTEXT));
    expect(renderNginx(r.doc, NGINX_GOLDEN_CONTEXT)).toEqual(renderNginx(fresh.doc, NGINX_GOLDEN_CONTEXT));
  });
});
