/**
 * The haproxy renderer reuses the frontend and backend views it built for
 * frozen listeners and pools (the validation worker's memo hands the same
 * objects to the next render). Whatever changes between two documents, the
 * files equal a render of the same document validated afresh.
 */
import { createValidationMemo, validateDocument, type Document } from '../../schemas';
import { exampleNames, loadExample } from '../../test/lib/examples';
import { genLarge } from '../../test/lib/gen-large';
import { RENDER_CTX } from '../../test/lib/render-fixtures';
import type { RenderContext } from '../types';
import { renderHaproxy } from './index';

type Raw = any;
const copy = (d: Raw): Raw => JSON.parse(JSON.stringify(d));

/** Renders `docs` in turn from one memo, each checked against a render of the same document without one. */
function sameAsFresh(docs: Raw[], ctx: RenderContext = RENDER_CTX): Document[] {
  const memo = createValidationMemo();
  return docs.map((d) => {
    const byParts = validateDocument(copy(d), memo);
    const fresh = validateDocument(copy(d));
    if (!byParts.ok || !fresh.ok) throw new Error(`the document should validate: ${JSON.stringify(byParts.ok ? [] : byParts.errors)}`);
    expect(renderHaproxy(byParts.doc, ctx)).toEqual(renderHaproxy(fresh.doc, ctx));
    return byParts.doc;
  });
}

describe('haproxy views reused for frozen listeners and pools', () => {
  it.each(exampleNames())('%s: rendered twice, and after a change to each listener', (f) => {
    const d = loadExample(f);
    const docs = [d, copy(d)];
    for (let i = 0; i < d.loadbalancer.listeners.length; i++) {
      const x = copy(d);
      x.loadbalancer.listeners[i].timeout_client_data = 1000 + i;
      docs.push(x);
    }
    sameAsFresh(docs);
  });

  it('follows what the views depend on beyond their listener and pool', () => {
    const d = genLarge(4, 2, 1) as Raw;
    // stick tables: their key type follows the VIP's family, their peers the topology
    for (const p of d.loadbalancer.pools) p.session_persistence = { type: 'SOURCE_IP', persistence_timeout: 60, persistence_granularity: null };
    const change = (f: (x: Raw) => void) => {
      const x = copy(d);
      f(x);
      return x;
    };
    sameAsFresh([
      d,
      change((x) => (x.loadbalancer.vip_address = '127.10.0.9')),
      change((x) => x.loadbalancer.additional_vips.push({ ip_address: '127.10.0.10', subnet_id: 's2' })),
      change((x) => (x.loadbalancer.vip_address = '2001:db8::5')),
      change((x) => (x.loadbalancer.admin_state_up = false)),
      // a pool that changes under an unchanged listener: its backend is built anew
      change((x) => (x.loadbalancer.pools.find((p: Raw) => p.pool_id === x.loadbalancer.listeners[0].default_pool_id).lb_algorithm = 'SOURCE_IP')),
      // many more checked members: the global maxconn moves, and every frontend's with it
      change((x) => {
        const p = x.loadbalancer.pools[0];
        for (let i = 0; i < 3000; i++) p.members.push({ ...p.members[0], member_id: `more-${i}`, address: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}` });
      }),
      change((x) => (x.amphora = { id: 'amp-1', topology: 'ACTIVE_STANDBY', role: 'MASTER', vrrp_address: '127.10.0.20', vrrp_priority: 100, vrrp_peers: [{ id: 'amp-2', address: '127.10.0.21' }] })),
      d,
    ]);
  });

  it('replays the files a reused view wrote (certificates of a TLS listener)', () => {
    const d = loadExample('terminated-https-l7');
    const x = copy(d);
    x.loadbalancer.vip_address = '127.10.0.99';
    const [a, , c] = sameAsFresh([d, copy(d), x]);
    const files = (doc: Document) => Object.keys(renderHaproxy(doc, RENDER_CTX).files).sort();
    expect(files(c)).toEqual(files(a));
    expect(files(a).some((n) => n.startsWith('certs/'))).toBe(true);
  });

  it('reuses the views of unchanged parts: the same objects print the same lines', () => {
    const d = genLarge(3, 2, 1) as Raw;
    const memo = createValidationMemo();
    const first = validateDocument(copy(d), memo);
    const next = copy(d);
    next.loadbalancer.listeners[0].timeout_client_data = 4242;
    const second = validateDocument(next, memo);
    if (!first.ok || !second.ok) throw new Error('the documents should validate');
    expect(second.doc.loadbalancer.listeners[1]).toBe(first.doc.loadbalancer.listeners[1]);
    const a = renderHaproxy(first.doc, RENDER_CTX).files['haproxy.cfg'];
    const b = renderHaproxy(second.doc, RENDER_CTX).files['haproxy.cfg'];
    expect(b).not.toBe(a);
    expect(b).toContain('timeout client 4242ms');
  });
});
