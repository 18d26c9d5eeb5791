/**
 * Cookie persistence where the traffic is not HTTP: Octavia's API refuses it
 * for UDP and SCTP pools alone, and its haproxy ignores it in TCP mode. The
 * agent takes it as Octavia does and serves such a pool without it, on both
 * engines; behind an HTTP listener the same pool keeps its cookies.
 */
import { validateDocument } from '../schemas';
import { renderHaproxy } from './haproxy';
import { renderNginx } from './nginx';
import { NGINX_GOLDEN_CONTEXT } from './nginx/golden-context';
import { RENDER_CTX, rawDoc, rawListener, rawMember, rawPool, section, valid } from '../test/lib/render-fixtures';

/** Pool `pool-x` (of `poolProtocol`, with `sp`) behind a TCP listener and, when the pool is HTTP, an HTTP listener too. */
function docWith(poolProtocol: string, sp: Record<string, unknown>): ReturnType<typeof rawDoc> {
  const listeners = [rawListener('lst-tcp', 7000, 'pool-x', { protocol: poolProtocol === 'HTTPS' ? 'HTTPS' : 'TCP' })];
  if (poolProtocol === 'HTTP') listeners.push(rawListener('lst-http', 8000, 'pool-x'));
  return rawDoc(listeners, [rawPool('pool-x', [rawMember('m-1', '127.10.0.11', 9000), rawMember('m-2', '127.10.0.12', 9000)], { protocol: poolProtocol, session_persistence: sp })]);
}

const HTTP_COOKIE = { type: 'HTTP_COOKIE' };
const APP_COOKIE = { type: 'APP_COOKIE', cookie_name: 'sid' };

describe('cookie persistence where the traffic is not HTTP', () => {
  it.each([
    ['TCP', HTTP_COOKIE], ['TCP', APP_COOKIE], ['HTTPS', HTTP_COOKIE], ['HTTPS', APP_COOKIE], ['HTTP', HTTP_COOKIE], ['HTTP', APP_COOKIE],
  ])('a %s pool with %o is taken', (proto, sp) => {
    const r = validateDocument(docWith(proto, sp));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it.each([['UDP'], ['SCTP']])('a %s pool refuses it, as Octavia does', (proto) => {
    const d = rawDoc([rawListener('lst-u', 7000, 'pool-x', { protocol: proto })], [rawPool('pool-x', [], { protocol: proto, session_persistence: HTTP_COOKIE })]);
    const r = validateDocument(d);
    expect(r.ok ? [] : r.errors).toEqual([{ path: 'loadbalancer.pools[0].session_persistence.type', message: `HTTP_COOKIE persistence is not for ${proto} pools (SOURCE_IP is)` }]);
  });

  it.each([[HTTP_COOKIE], [APP_COOKIE]])('haproxy: in TCP mode the backend has no cookie (%o); behind the HTTP listener it keeps it', (sp) => {
    const out = renderHaproxy(valid(docWith('HTTP', sp)), RENDER_CTX);
    const cfg = out.files['haproxy.cfg'];
    const tcp = section(cfg, 'backend pool-x:lst-tcp').join('\n');
    const http = section(cfg, 'backend pool-x:lst-http').join('\n');
    expect(tcp).toContain('mode tcp');
    expect(tcp).not.toMatch(/cookie|stick/);
    expect(http).toMatch(sp.type === 'HTTP_COOKIE' ? /cookie SRV insert/ : /stick match req\.cook\(sid\)/);
    const persistence = Object.fromEntries(out.serves.pools.map((p) => [p.key, p.persistence]));
    expect(persistence).toEqual({ 'pool-x:lst-tcp': null, 'pool-x:lst-http': sp.type });
  });

  it.each([['TCP'], ['HTTPS']])('haproxy: a %s pool is served without cookies', (proto) => {
    const cfg = renderHaproxy(valid(docWith(proto, HTTP_COOKIE)), RENDER_CTX).files['haproxy.cfg'];
    expect(section(cfg, 'backend pool-x:lst-tcp').join('\n')).not.toMatch(/cookie|stick/);
  });

  it('nginx: the stream upstream has no cookie; the HTTP listener keeps its persistence', () => {
    const text = Object.values(renderNginx(valid(docWith('HTTP', HTTP_COOKIE)), NGINX_GOLDEN_CONTEXT).files).join('\n');
    const stream = text.slice(text.indexOf('\nstream {'));
    expect(text).toContain('\nstream {');
    expect(stream).not.toMatch(/SRV|cookie/i);
    expect(text.slice(0, text.indexOf('\nstream {'))).toContain('SRV');
  });
});
