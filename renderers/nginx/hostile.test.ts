/**
 * Every hostile string at every place: refused by validateDocument, refused
 * by nginx's capability check (naming nginx), or rendered so that nginx reads
 * the same directives and blocks as for the base document (test/lib/nginx-parse).
 */
import { validateDocument } from '../../schemas';
import { checkCapabilities, nginxCapabilities } from '../index';
import { renderNginx } from './index';
import { regexLiteral } from './quote';
import { RENDER_CTX, valid } from '../../test/lib/render-fixtures';
import { hostileBase, HOSTILE, PLACES } from '../../test/lib/render-hostile';
import { nginxShape, parseNginx, walkNginx } from '../../test/lib/nginx-parse';

const CAPS = nginxCapabilities('1.22.1');
const CTX = { ...RENDER_CTX, capabilities: CAPS };
const baseDoc = valid(hostileBase());
const base = renderNginx(baseDoc, CTX);
const baseShape = nginxShape(parseNginx(base.files['nginx.conf']));
const cases = PLACES.flatMap((p) => Object.entries(HOSTILE).map(([h, v]) => [p.name, h, p, v] as const));

test('the base document is served by nginx and renders nginx and keepalived configs', () => {
  expect(checkCapabilities(baseDoc, CAPS)).toEqual([]);
  expect(base.files['nginx.conf']).toMatch(/map \$amph_path \$amph_r\d+ \{/);
  expect(base.files['nginx.conf']).toMatch(/listen 127\.10\.0\.1:53 udp reuseport;/);
  expect(base.files['keepalived.conf']).toMatch(/vrrp_instance /);
  expect(base.files['keepalived.conf']).not.toMatch(/virtual_server /);
});

test.each(cases)('%s <- %s', (_place, _h, place, value) => {
  const raw = hostileBase();
  place.set(raw, value);
  const v = validateDocument(raw);
  if (!v.ok) return; // refused: nothing is rendered
  const refused = checkCapabilities(v.doc, CAPS);
  if (refused.length) {
    for (const r of refused) expect(r.message).toMatch(/nginx 1\.22\.1/);
    return;
  }
  const out = renderNginx(v.doc, CTX);
  if (!place.rendered) {
    expect(out).toEqual(base);
    return;
  }
  expect(nginxShape(parseNginx(out.files['nginx.conf']))).toEqual(baseShape);
});

test('L7 values holding every hostile string read back, through nginx quoting, as the literal regex of exactly those bytes', () => {
  for (const value of Object.values(HOSTILE)) {
    const raw = hostileBase();
    raw.loadbalancer.listeners[0].l7policies[0].rules[0].value = value;
    const v = validateDocument(raw);
    if (!v.ok) {
      expect(value).toMatch(/[\x00-\x1f]/);
      continue;
    }
    const conf = parseNginx(renderNginx(v.doc, CTX).files['nginx.conf']);
    const maps = [...walkNginx(conf)].filter(({ d }) => d.name === 'map' && d.args[0] === '$amph_path' && d.args[1].startsWith('$amph_r'));
    expect(maps).toHaveLength(1);
    const keys = maps[0].d.block!.filter((e) => e.name.startsWith('~'));
    expect(keys.map((e) => e.name)).toEqual([`~^${regexLiteral(value)}$`]);
    const re = new RegExp(keys[0].name.slice(1));
    expect(re.test(value)).toBe(true);
    expect(re.test(`${value}x`)).toBe(false);
  }
});
