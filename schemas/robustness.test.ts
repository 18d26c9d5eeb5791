/**
 * validateDocument takes untrusted input: whatever JSON arrives, it answers
 * with a result and never throws, and a valid answer always comes with a
 * document (property tests with fast-check).
 */
import fc from 'fast-check';
import { exampleNames, loadExample } from '../test/lib/examples';
import { stringLeaves, setAt } from './testing/fixtures';
import { validateDocument } from './validate';

const examples = exampleNames().map((n) => loadExample(n));

/** Every path (to any value, not only strings) of a JSON value. */
function allPaths(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  const here = path.length ? [path] : [];
  if (Array.isArray(v)) return [...here, ...v.flatMap((x, i) => allPaths(x, [...path, i]))];
  if (v && typeof v === 'object') return [...here, ...Object.entries(v).flatMap(([k, x]) => allPaths(x, [...path, k]))];
  return here;
}

/** JSON values, plus ones that trip naive code: objects whose toString is not callable, prototype keys, enum words. */
const awkward = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>({ toString: '' }, { valueOf: 1, toString: 2 }, JSON.parse('{"__proto__": {"x": 1}}'), '__proto__', 'constructor', [], {}, null, -0, 1e308, 'TERMINATED_HTTPS', 'UDP', 'REGEX', '(', 'SSL_DN_FIELD'),
);

const answers = (input: unknown) => {
  const r = validateDocument(input);
  if (r.ok) return r.doc !== undefined;
  return r.errors.length > 0 && r.errors.every((e) => typeof e.path === 'string' && typeof e.message === 'string' && e.message.length > 0);
};

describe('validateDocument on hostile input', () => {
  it('answers any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => answers(v)), { numRuns: 300 });
  });

  it('answers any JSON object that claims schema_version 1.0', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 5 })), fc.jsonValue({ maxDepth: 5 }), (rest, lb) =>
        answers({ ...rest, schema_version: '1.0', generation: 1, loadbalancer: lb }),
      ),
      { numRuns: 300 },
    );
  });

  it('answers an example with any value at any place, and reports an error or a valid document', () => {
    const cases = examples.flatMap((doc, i) => allPaths(doc).map((p) => [i, p] as const));
    fc.assert(
      fc.property(fc.constantFrom(...cases), awkward, ([i, p], v) => {
        const doc = structuredClone(examples[i]);
        setAt(doc, p, v);
        return answers(doc);
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses an example in which any one string holds a newline', () => {
    for (const doc of examples) {
      for (const leaf of stringLeaves(doc)) {
        const copy = structuredClone(doc);
        setAt(copy, leaf.path, 'x\ny');
        const r = validateDocument(copy);
        expect(r.ok).toBe(false);
      }
    }
  });
});
