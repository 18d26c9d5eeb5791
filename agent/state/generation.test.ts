import { checkGeneration } from './generation';
import { canonicalJson, documentHash, filesHash } from './hash';

describe('checkGeneration', () => {
  const applied = { generation: 5, hash: 'h5' };
  it.each([
    [null, 1, 'x', 'apply'],
    [applied, 6, 'x', 'apply'],
    [applied, 5, 'h5', 'unchanged'],
  ] as const)('%j with generation %d -> %s', (a, g, h, want) => {
    expect(checkGeneration(a, g, h)).toBe(want);
  });
  it('refuses lower and conflicting generations with 409', () => {
    expect(() => checkGeneration(applied, 4, 'x')).toThrow(expect.objectContaining({ status: 409, code: 'GENERATION_STALE' }));
    expect(() => checkGeneration(applied, 5, 'other')).toThrow(expect.objectContaining({ status: 409, code: 'GENERATION_CONFLICT' }));
  });
});

describe('hashes', () => {
  it('ignore key order but not array order or values', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: null }] })).toBe('{"a":[2,{"c":null,"d":1}],"b":1}');
    expect(documentHash({ a: 1, b: 2 })).toBe(documentHash({ b: 2, a: 1 }));
    expect(documentHash({ a: [1, 2] })).not.toBe(documentHash({ a: [2, 1] }));
  });
  it('tell file sets apart by path and content', () => {
    expect(filesHash({ a: 'x', b: 'y' })).toBe(filesHash({ b: 'y', a: 'x' }));
    expect(filesHash({ a: 'xb' })).not.toBe(filesHash({ a: 'x', b: '' }));
  });
});
