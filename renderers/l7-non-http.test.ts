/**
 * L7 policies on a listener that is not HTTP: Octavia's API takes them (only a
 * PROMETHEUS listener refuses them) and its amphora serves the listener without
 * them (haproxy ignores HTTP rules in a TCP frontend; LVS has none). The agent
 * validates them like any policy and serves such a listener as if it had none,
 * on both engines: no rule, no action, no pool of theirs reaches the files.
 */
import { validateDocument } from '../schemas';
import { checkCapabilities } from './check-capabilities';
import { renderHaproxy } from './haproxy';
import { renderNginx } from './nginx';
import { NGINX_GOLDEN_CONTEXT } from './nginx/golden-context';
import { RENDER_CTX, rawDoc, rawListener, rawMember, rawPolicy, rawPool, rawRule, valid } from '../test/lib/render-fixtures';

/** A TCP listener with three policies (one to a pool of its own, one with an SSL rule), and an HTTP listener beside it. */
function docWith(protocol: string): ReturnType<typeof rawDoc> {
  const policies = [
    rawPolicy('pol-reject', 'REJECT', [rawRule('rule-path', 'PATH', 'STARTS_WITH', '/marker-reject')], { position: 1 }),
    rawPolicy('pol-pool', 'REDIRECT_TO_POOL', [rawRule('rule-host', 'HOST_NAME', 'EQUAL_TO', 'marker-host.example')], { position: 2, redirect_pool_id: 'pool-side' }),
    rawPolicy('pol-ssl', 'REDIRECT_TO_URL', [rawRule('rule-ssl', 'SSL_CONN_HAS_CERT', 'EQUAL_TO', 'True')], { position: 3, redirect_url: 'http://marker-url.example/' }),
  ];
  const poolProtocol = protocol === 'UDP' ? 'UDP' : 'TCP';
  return rawDoc(
    [
      rawListener('lst-plain', 7000, 'pool-main', { protocol, l7policies: policies }),
      rawListener('lst-http', 8000, 'pool-http'),
    ],
    [
      rawPool('pool-main', [rawMember('m-1', '127.10.0.11', 9000)], { protocol: poolProtocol }),
      rawPool('pool-side', [rawMember('m-2', '127.10.0.12', 9000)], { protocol: poolProtocol }),
      rawPool('pool-http', [rawMember('m-3', '127.10.0.13', 9000)]),
    ],
  );
}

const MARKERS = ['marker-reject', 'marker-host', 'marker-url', 'rule-path', 'rule-host', 'rule-ssl', 'pol-'];

describe('L7 policies on a listener that is not HTTP', () => {
  it.each(['TCP', 'HTTPS', 'UDP'])('%s: validated and accepted', (protocol) => {
    const r = validateDocument(docWith(protocol));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('are validated all the same: a bad rule value is refused, with its path', () => {
    const d = docWith('TCP');
    d.loadbalancer.listeners[0].l7policies[0].rules[0].value = 'two\nlines';
    const r = validateDocument(d);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain('loadbalancer.listeners[0].l7policies[0].rules[0].value');
  });

  it('a pool a policy sends to must still fit the listener (as Octavia checks)', () => {
    const d = docWith('TCP');
    d.loadbalancer.pools[1].protocol = 'UDP';
    const r = validateDocument(d);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain('loadbalancer.listeners[0].l7policies[1].redirect_pool_id');
  });

  it.each(['TCP', 'HTTPS'])('haproxy serves the %s listener without them: nothing of theirs in the files, its own pool only', (protocol) => {
    const out = renderHaproxy(valid(docWith(protocol)), RENDER_CTX);
    const cfg = out.files['haproxy.cfg'];
    for (const m of MARKERS) expect(cfg).not.toContain(m);
    expect(cfg).not.toContain('pool-side');
    expect(cfg).toContain('pool-main:lst-plain');
    expect(out.serves.pools.map((p) => p.key).sort()).toEqual(['pool-http:lst-http', 'pool-main:lst-plain']);
  });

  it.each(['TCP', 'HTTPS', 'UDP'])('nginx serves the %s listener without them: nothing of theirs in the files, its own pool only', (protocol) => {
    const out = renderNginx(valid(docWith(protocol)), NGINX_GOLDEN_CONTEXT);
    const text = Object.values(out.files).join('\n');
    for (const m of MARKERS) expect(text).not.toContain(m);
    expect(text).not.toContain('pool-side');
    expect(out.serves.pools.map((p) => p.key).sort()).toEqual(['pool-http:lst-http', 'pool-main:lst-plain']);
  });

  it('what an engine could not serve of a policy does not matter where it is not served', () => {
    const d = docWith('TCP');
    // nginx refuses these on an HTTP listener (a header name it cannot read, a named group)
    d.loadbalancer.listeners[0].l7policies[0].rules[0] = rawRule('rule-path', 'HEADER', 'EQUAL_TO', 'x', { key: 'X_Odd' });
    d.loadbalancer.listeners[0].l7policies[1].rules[0] = rawRule('rule-host', 'PATH', 'REGEX', '^/(?<name>a)');
    const doc = valid(d);
    expect(checkCapabilities(doc, NGINX_GOLDEN_CONTEXT.capabilities)).toEqual([]);
    expect(checkCapabilities(doc, { ...RENDER_CTX.capabilities, l7RuleTypes: [] })).toEqual([]);
    // the same on the HTTP listener is refused
    const h = docWith('TCP');
    h.loadbalancer.listeners[1].l7policies = [rawPolicy('pol-h', 'REJECT', [rawRule('rule-h', 'HEADER', 'EQUAL_TO', 'x', { key: 'X_Odd' })], { position: 1 })];
    expect(checkCapabilities(valid(h), NGINX_GOLDEN_CONTEXT.capabilities).map((e) => e.path)).toEqual(['loadbalancer.listeners[1].l7policies[0].rules[0].key']);
    expect(checkCapabilities(valid(h), { ...RENDER_CTX.capabilities, l7RuleTypes: [] }).map((e) => e.path)).toEqual(['loadbalancer.listeners[1].l7policies[0].rules[0].type']);
  });

  it('a PROMETHEUS listener takes none (Octavia refuses them there too)', () => {
    const d = rawDoc([rawListener('lst-prom', 9100, null, { protocol: 'PROMETHEUS', l7policies: [rawPolicy('pol-1', 'REJECT', [], { position: 1 })] })]);
    const r = validateDocument(d);
    expect(r.ok ? [] : r.errors).toEqual([{ path: 'loadbalancer.listeners[0].l7policies[0]', message: 'is not allowed: a PROMETHEUS listener takes no L7 policies' }]);
  });

  it('an SSL rule on a plain HTTP listener is taken (Octavia takes it): rendered as on a TLS listener, where it finds no TLS', () => {
    const d = rawDoc([rawListener('lst-http', 8000, null, { l7policies: [rawPolicy('pol-1', 'REJECT', [rawRule('rule-1', 'SSL_CONN_HAS_CERT', 'EQUAL_TO', 'True', { invert: true })], { position: 1 })] })]);
    const doc = valid(d);
    expect(renderHaproxy(doc, RENDER_CTX).files['haproxy.cfg']).toContain('acl rule_rule-1 ssl_c_used');
    expect(Object.values(renderNginx(doc, NGINX_GOLDEN_CONTEXT).files).join('\n')).toContain('map $ssl_client_verify $amph_has_cert');
  });
});
