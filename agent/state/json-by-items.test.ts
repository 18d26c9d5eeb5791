import { exampleNames, loadExample } from '../../test/lib/examples';
import { genLarge } from '../../test/lib/gen-large';
import { canonicalJson } from './hash';
import { serializeByItems } from './json-by-items';

type Doc = any;
const whole = (d: Doc, ser: (v: unknown) => string) => serializeByItems(d, ser, (_k, v) => ser(v))?.join('');
const stringify = (v: unknown) => JSON.stringify(v);

describe('serializeByItems', () => {
  it.each(exampleNames())('%s: the same text as serializing the whole, with either serializer', (f) => {
    const d = loadExample(f);
    expect(whole(d, stringify)).toBe(JSON.stringify(d));
    expect(whole(d, canonicalJson)).toBe(canonicalJson(d));
  });

  it('the same text with empty arrays, pools before listeners, and strings that look like the markers', () => {
    const d = genLarge(3, 2, 1) as Doc;
    expect(whole({ ...d, loadbalancer: { ...d.loadbalancer, listeners: [], pools: [] } }, stringify)).toBe(JSON.stringify({ ...d, loadbalancer: { ...d.loadbalancer, listeners: [], pools: [] } }));
    const { listeners, pools, ...rest } = d.loadbalancer;
    const reordered = { ...d, loadbalancer: { pools, ...rest, listeners } };
    expect(whole(reordered, stringify)).toBe(JSON.stringify(reordered));
    d.loadbalancer.name = 'listeners 0123456789abcdef0123456789abcdef';
    d.loadbalancer.description = '"pools "';
    expect(whole(d, stringify)).toBe(JSON.stringify(d));
  });

  it('gives each item to `item` with its array and index, and takes its text as it is', () => {
    const d = genLarge(2, 1, 1) as Doc;
    const seen: string[] = [];
    const text = serializeByItems(d, stringify, (kind, _v, i) => (seen.push(`${kind}[${i}]`), `"${kind}${i}"`))!.join('');
    const names = (kind: string, n: number) => Array.from({ length: n }, (_, i) => `${kind}${i}`);
    const [nl, np] = [d.loadbalancer.listeners.length, d.loadbalancer.pools.length];
    expect(seen).toEqual([...names('listeners', nl), ...names('pools', np)].map((x) => x.replace(/(\d+)$/, '[$1]')));
    expect(JSON.parse(text).loadbalancer.listeners).toEqual(names('listeners', nl));
    expect(JSON.parse(text).loadbalancer.pools).toEqual(names('pools', np));
  });

  it('is null without the two arrays', () => {
    expect(serializeByItems({ loadbalancer: { listeners: [] } }, stringify, () => '')).toBeNull();
    expect(serializeByItems({ loadbalancer: null }, stringify, () => '')).toBeNull();
    expect(serializeByItems(null, stringify, () => '')).toBeNull();
  });
});
