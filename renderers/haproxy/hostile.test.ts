/** Every hostile string at every place: refused by validateDocument, or rendered without adding structure. */
import { validateDocument } from '../../schemas';
import { renderHaproxy } from '../index';
import { RENDER_CTX, valid } from '../../test/lib/render-fixtures';
import { configShape, haproxyWords, hostileBase, HOSTILE, PLACES } from '../../test/lib/render-hostile';

const base = renderHaproxy(valid(hostileBase()), RENDER_CTX);
const cases = PLACES.flatMap((p) => Object.entries(HOSTILE).map(([h, v]) => [p.name, h, p, v] as const));

describe('hostile strings', () => {
  test('the base document renders haproxy and keepalived configs', () => {
    expect(base.files['haproxy.cfg']).toMatch(/acl rule_r1 /);
    expect(base.files['keepalived.conf']).toMatch(/virtual_server /);
  });

  test.each(cases)('%s <- %s', (_place, _h, place, value) => {
    const raw = hostileBase();
    place.set(raw, value);
    const v = validateDocument(raw);
    if (!v.ok) return; // refused: nothing is rendered
    const out = renderHaproxy(v.doc, RENDER_CTX);
    if (!place.rendered) {
      expect(out).toEqual(base);
      return;
    }
    for (const f of ['haproxy.cfg', 'keepalived.conf']) expect(configShape(out.files[f])).toEqual(configShape(base.files[f]));
    for (const line of out.files['haproxy.cfg'].split('\n')) {
      // a value may only appear as one haproxy word: its acl line round-trips to the exact bytes
      const m = /^ {4}acl rule_r\d (.*)$/.exec(line);
      if (m && line.includes('-- ')) {
        const words = haproxyWords(line);
        expect(words[words.length - 2]).toBe('--');
      }
    }
  });

  test('L7 values containing every hostile string round-trip byte for byte through haproxy quoting', () => {
    for (const value of Object.values(HOSTILE)) {
      const raw = hostileBase();
      raw.loadbalancer.listeners[0].l7policies[0].rules[0].value = value;
      const v = validateDocument(raw);
      if (!v.ok) {
        // only control characters may be refused
        expect(value).toMatch(/[\x00-\x1f]/);
        continue;
      }
      const line = renderHaproxy(v.doc, RENDER_CTX).files['haproxy.cfg'].split('\n').find((l) => l.startsWith('    acl rule_r1 '))!;
      const words = haproxyWords(line);
      expect(words.slice(0, 6)).toEqual(['acl', 'rule_r1', 'path', '-m', 'str', '--']);
      expect(words[6]).toBe(value);
      expect(words).toHaveLength(7);
    }
  });
});
