/** documentHashByParts: the value of documentHash, whatever changed since the last document, with only the changes serialized. */
import { createValidationMemo, validateDocument } from '../../schemas/validate';
import { exampleNames, loadExample } from '../../test/lib/examples';
import { genLarge } from '../../test/lib/gen-large';
import { createHashMemo, documentHash, documentHashByParts, type HashMemo } from './hash';

type Doc = any;
const copy = (d: Doc): Doc => JSON.parse(JSON.stringify(d));
const textsOf = (d: Doc) => ({ listeners: d.loadbalancer.listeners.map((x: unknown) => JSON.stringify(x)), pools: d.loadbalancer.pools.map((x: unknown) => JSON.stringify(x)) });
const byParts = (d: Doc, memo: HashMemo) => documentHashByParts(d, textsOf(d), memo);

describe('documentHashByParts', () => {
  it.each(exampleNames())('%s: the same hash as documentHash, first and again', (f) => {
    const d = loadExample(f);
    const memo = createHashMemo();
    expect(byParts(copy(d), memo)).toBe(documentHash(d));
    expect(byParts(copy(d), memo)).toBe(documentHash(d));
  });

  it('the same hash after listeners and pools change, come, go and move; and only the changed ones are serialized', () => {
    const d = genLarge(12, 3, 2) as Doc;
    const memo = createHashMemo();
    byParts(copy(d), memo);
    const changes: ((x: Doc) => void)[] = [
      (x) => (x.loadbalancer.listeners[3].connection_limit = 77),
      (x) => x.loadbalancer.listeners.splice(5, 1),
      (x) => x.loadbalancer.pools.reverse(),
      (x) => (x.loadbalancer.pools[1].members[0].weight = 9),
      (x) => (x.loadbalancer.vip_address = '203.0.113.9'),
      (x) => (x.generation = 99),
      (x) => (x.loadbalancer.listeners = []),
    ];
    for (const change of changes) {
      const next = copy(d);
      change(next);
      expect(byParts(next, memo)).toBe(documentHash(next));
    }
    // a kept text is used as it is: a wrong one shows in the hash, which proves it was not serialized again
    const texts = textsOf(d);
    memo.listeners.set(texts.listeners[0], '{"planted":true}');
    expect(byParts(copy(d), memo)).not.toBe(documentHash(d));
  });

  it('a document whose strings look like the markers hashes the same', () => {
    const d = genLarge(2, 1, 1) as Doc;
    d.loadbalancer.name = 'listeners 0123456789abcdef0123456789abcdef';
    d.loadbalancer.description = 'pools';
    expect(byParts(copy(d), createHashMemo())).toBe(documentHash(d));
  });

  it('falls back to the whole document when the texts do not fit it (no arrays, other lengths)', () => {
    const d = genLarge(3, 1, 1) as Doc;
    expect(documentHashByParts(d, { listeners: [], pools: [] }, createHashMemo())).toBe(documentHash(d));
    const odd = copy(d);
    odd.loadbalancer.pools = null;
    expect(documentHashByParts(odd, textsOf(d), createHashMemo())).toBe(documentHash(odd));
  });

  it('takes the texts validation by parts recorded for the same input', () => {
    const d = genLarge(4, 2, 2) as Doc;
    const memo = createValidationMemo();
    const input = copy(d);
    expect(validateDocument(input, memo).ok).toBe(true);
    expect(memo.last?.input).toBe(input);
    expect(documentHashByParts(input, memo.last!, createHashMemo())).toBe(documentHash(d));
  });
});
