/** Property: every valid document renders, with the structure the agent and heartbeat rely on (haproxy -c runs in test/integration). */
import fc from 'fast-check';
import { validateDocument, type Document } from '../../schemas';
import { renderHaproxy } from '../index';
import { RENDER_CTX } from '../../test/lib/render-fixtures';
import { validDocArb } from '../../test/lib/render-arbitraries';
import { haproxyWords } from '../../test/lib/render-hostile';

const LINE = /^(?:|global|defaults|frontend [A-Za-z0-9_.:-]+|backend [A-Za-z0-9_.:-]+| {4}\S.*|# .*)$/;

function checkStructure(doc: Document): void {
  const out = renderHaproxy(doc, RENDER_CTX);
  const cfg = out.files['haproxy.cfg'];
  for (const line of cfg.split('\n')) expect(line).toMatch(LINE);
  const served = doc.loadbalancer.listeners.filter((l) => l.protocol !== 'UDP' && l.protocol !== 'SCTP');
  const frontends = cfg.split('\n').filter((l) => l.startsWith('frontend ')).map((l) => l.slice(9));
  expect(frontends).toEqual(served.map((l) => l.listener_id));
  for (const b of cfg.split('\n').filter((l) => l.startsWith('backend '))) {
    const [pool, listener] = b.slice(8).split(':');
    expect(doc.loadbalancer.pools.some((p) => p.pool_id === pool)).toBe(true);
    expect(served.some((l) => l.listener_id === listener)).toBe(true);
  }
  // each rule value reads back, through haproxy's quoting, as exactly the document's bytes
  const values = new Map(doc.loadbalancer.listeners.flatMap((l) => l.l7policies.flatMap((p) => p.rules.map((r) => [`rule_${r.l7rule_id}` as string, r.value] as const))));
  for (const line of cfg.split('\n').filter((l) => l.startsWith('    acl rule_') && l.includes(' -- '))) {
    const words = haproxyWords(line);
    expect(words[words.length - 2]).toBe('--');
    expect(words[words.length - 1]).toBe(values.get(words[1]));
  }
  for (const p of out.secrets) expect(out.files[p]).toMatch(/PRIVATE KEY/);
  for (const p of Object.keys(out.files)) expect(p).toMatch(/^[A-Za-z0-9][A-Za-z0-9_./-]*$/);
}

test('every generated valid document renders with the expected structure', () => {
  fc.assert(
    fc.property(validDocArb(), (raw) => {
      const v = validateDocument(raw);
      if (!v.ok) throw new Error('arbitrary produced an invalid document');
      checkStructure(v.doc);
    }),
    { numRuns: 150 },
  );
});
