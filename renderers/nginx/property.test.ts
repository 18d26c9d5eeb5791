/** Property: every generated valid document nginx serves renders with the structure the agent relies on (nginx -t runs in test/integration). */
import fc from 'fast-check';
import { validateDocument } from '../../schemas';
import { checkCapabilities, nginxCapabilities } from '../index';
import { nginxListeners, renderNginx } from './index';
import { RENDER_CTX } from '../../test/lib/render-fixtures';
import { nginxFit, validDocArb } from '../../test/lib/render-arbitraries';
import { parseNginx, walkNginx } from '../../test/lib/nginx-parse';

const CAPS = nginxCapabilities('1.22.1');

test('every generated valid document nginx serves renders: one server per listener (and SNI certificate), every proxy_pass names a defined upstream', () => {
  let rendered = 0;
  fc.assert(
    fc.property(validDocArb().map(nginxFit), (raw) => {
      const v = validateDocument(raw);
      if (!v.ok) throw new Error(`arbitrary produced an invalid document: ${JSON.stringify(v.errors)}`);
      expect(checkCapabilities(v.doc, CAPS)).toEqual([]);
      rendered++;
      const out = renderNginx(v.doc, { ...RENDER_CTX, capabilities: CAPS });
      const conf = parseNginx(out.files['nginx.conf']);
      const all = [...walkNginx(conf)];
      const comments = out.files['nginx.conf'].split('\n').filter((l) => /^ {8}# listener /.test(l)).map((l) => l.trim().split(' ')[2]);
      expect([...new Set(comments)].sort()).toEqual(nginxListeners(v.doc).map((l) => l.listener_id).sort());
      const upstreams = new Set(all.filter(({ d }) => d.name === 'upstream').map(({ d }) => d.args[0]));
      for (const { d } of all.filter(({ d }) => d.name === 'proxy_pass')) {
        const target = d.args[0].replace(/^https?:\/\//, '').replace(/\$request_uri$/, '');
        if (!target.startsWith('$')) expect(upstreams.has(target)).toBe(true);
      }
      for (const p of out.secrets) expect(out.files[p]).toMatch(/PRIVATE KEY/);
      for (const p of Object.keys(out.files)) expect(p).toMatch(/^[A-Za-z0-9][A-Za-z0-9_./-]*$/);
    }),
    { numRuns: 150 },
  );
  expect(rendered).toBe(150);
});
