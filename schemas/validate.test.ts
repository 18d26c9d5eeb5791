/** validateDocument as a whole: every problem at once, schema versions, and the defaults in its output. */
import { loadExample } from '../test/lib/examples';
import { validateDocument } from './validate';

const errorsOf = (input: unknown) => {
  const r = validateDocument(input);
  return r.ok ? [] : r.errors;
};
const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);

describe('every problem at once', () => {
  it('reports five different problems, each at its exact path', () => {
    const d = loadExample('http-basic');
    const l = d.loadbalancer.listeners[0];
    const p = d.loadbalancer.pools[0];
    l.protocol_port = 70000; // field range
    p.members[1].address = '10.0.0'; // IP address
    p.healthmonitor.expected_codes = '2xx'; // pattern
    l.default_pool_id = 'missing-pool'; // cross-object reference
    l.l7policies = [
      {
        l7policy_id: 'p1',
        action: 'REJECT',
        position: 1,
        rules: [
          { l7rule_id: 'r1', type: 'PATH', compare_type: 'STARTS_WITH', value: '/admin' },
          { l7rule_id: 'r2', type: 'HEADER', compare_type: 'EQUAL_TO', key: 'X-Debug', value: '1' },
          { l7rule_id: 'r3', type: 'PATH', compare_type: 'EQUAL_TO', value: '/a\nb' }, // control character
        ],
      },
    ];
    expect(errorsOf(d).sort(byPath)).toEqual(
      [
        { path: 'loadbalancer.listeners[0].protocol_port', message: 'must be at most 65535' },
        { path: 'loadbalancer.pools[0].members[1].address', message: 'must be an IPv4 or IPv6 address' },
        { path: 'loadbalancer.pools[0].healthmonitor.expected_codes', message: expect.stringContaining('must be an HTTP code') },
        { path: 'loadbalancer.listeners[0].default_pool_id', message: 'names pool "missing-pool", which is not in loadbalancer.pools' },
        { path: 'loadbalancer.listeners[0].l7policies[0].rules[2].value', message: expect.stringContaining('no control characters') },
      ].sort(byPath),
    );
  });

  it('reports cross-object problems even when field rules failed elsewhere', () => {
    const d = loadExample('terminated-https-l7');
    d.loadbalancer.name = 'x'.repeat(300);
    d.loadbalancer.listeners[1].protocol_port = 443;
    d.loadbalancer.listeners[1].protocol = 'HTTPS';
    d.loadbalancer.listeners[1].l7policies = [];
    expect(errorsOf(d).map((e) => e.path).sort()).toEqual(['loadbalancer.listeners[1].protocol_port', 'loadbalancer.name']);
  });

  it.each([[null], [[]], ['a string'], [42]])('refuses %j as a document', (input) => {
    expect(errorsOf(input)).toEqual([{ path: '(document)', message: 'must be a JSON object' }]);
  });
});

describe('schema_version', () => {
  const unknownEverywhere = (d: any) => {
    const lb = d.loadbalancer;
    d.future = 1;
    lb.future = 1;
    lb.listeners[0].future = { nested: true };
    lb.listeners[0].insert_headers['X-Future-Header'] = 'true';
    lb.listeners[0].l7policies[0].future = 1;
    lb.listeners[0].l7policies[0].rules[0].future = 1;
    lb.pools[0].future = 1;
    lb.pools[0].members[0].future = 1;
    lb.pools[1].healthmonitor.future = 1;
    lb.pools[1].session_persistence.future = 1;
    lb.listeners[0].default_tls_container_data.future = 1;
    d.amphora.future = 1;
    d.amphora.vrrp_peers[0].future = 1;
    return d;
  };

  it('refuses unknown keys in 1.0, at every level', () => {
    const errors = errorsOf(unknownEverywhere(loadExample('terminated-https-l7')));
    expect(errors).toHaveLength(13);
    expect(errors.every((e) => /is not a known field of schema_version 1\.0|is not a header this agent can insert/.test(e.message))).toBe(true);
    expect(errors.map((e) => e.path)).toContain('loadbalancer.pools[0].members[0].future');
  });

  it.each(['1.1', '1.42'])('ignores unknown keys in %s (a newer minor) and drops them from the output', (v) => {
    const d = unknownEverywhere(loadExample('terminated-https-l7'));
    d.schema_version = v;
    const r = validateDocument(d);
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    expect(JSON.stringify(r.doc)).not.toContain('future');
    expect(JSON.stringify(r.doc)).not.toContain('X-Future-Header');
    expect(r.doc.schema_version).toBe(v);
  });

  it('still applies every known rule in a newer minor', () => {
    const d = loadExample('http-basic');
    d.schema_version = '1.9';
    d.loadbalancer.listeners[0].protocol_port = 0;
    expect(errorsOf(d)).toEqual([{ path: 'loadbalancer.listeners[0].protocol_port', message: 'must be at least 1' }]);
  });

  it.each(['2.0', '0.9', '10.0'])('refuses major %s, naming the supported versions, and nothing else', (v) => {
    const d = loadExample('http-basic');
    d.schema_version = v;
    d.loadbalancer.listeners[0].protocol_port = 0; // not reported: the format is unknown
    expect(errorsOf(d)).toEqual([{ path: 'schema_version', message: `major version ${v.split('.')[0]} is not supported; supported: 1.x` }]);
  });

  it.each([[1.0], ['1'], ['v1.0'], ['1.0.0'], [null]])('refuses %j as a version', (v) => {
    const d = loadExample('http-basic');
    d.schema_version = v;
    expect(errorsOf(d)).toEqual([{ path: 'schema_version', message: 'must be a version "MAJOR.MINOR"; supported: 1.x' }]);
  });
});

describe('output', () => {
  const minimal = () => ({
    schema_version: '1.0',
    generation: 1,
    loadbalancer: {
      loadbalancer_id: 'lb1',
      vip_address: '192.0.2.1',
      listeners: [
        {
          listener_id: 'l1',
          protocol: 'HTTP',
          protocol_port: 80,
          default_pool_id: 'p1',
          insert_headers: { 'X-Forwarded-For': 'True', 'X-Forwarded-Port': false },
          l7policies: [{ l7policy_id: 'x1', action: 'REDIRECT_TO_URL', redirect_url: 'https://example.com/', rules: [{ l7rule_id: 'y1', type: 'PATH', compare_type: 'STARTS_WITH', value: '/old' }] }],
        },
      ],
      pools: [
        {
          pool_id: 'p1',
          protocol: 'HTTP',
          lb_algorithm: 'ROUND_ROBIN',
          session_persistence: { type: 'SOURCE_IP' },
          healthmonitor: { healthmonitor_id: 'h1', type: 'HTTP', delay: 5, timeout: 3, max_retries: 2, expected_codes: '200, 202' },
          members: [{ member_id: 'm1', address: '192.0.2.10', protocol_port: 8080 }],
        },
      ],
    },
  });

  it('applies the defaults of the contract', () => {
    const r = validateDocument(minimal());
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    const { loadbalancer: lb, amphora } = r.doc;
    expect(amphora).toBeNull();
    expect(lb).toMatchObject({ admin_state_up: true, additional_vips: [], name: null, flavor: null });
    expect(lb.listeners[0]).toMatchObject({
      admin_state_up: true,
      connection_limit: -1,
      timeout_client_data: 50000,
      timeout_member_connect: 5000,
      timeout_member_data: 50000,
      timeout_tcp_inspect: 0,
      insert_headers: { 'X-Forwarded-For': true, 'X-Forwarded-Port': false },
      sni_container_data: [],
      client_authentication: 'NONE',
      allowed_cidrs: null,
      default_tls_container_data: null,
    });
    expect(lb.listeners[0].l7policies[0]).toMatchObject({ admin_state_up: true, position: null, redirect_http_code: null });
    expect(lb.listeners[0].l7policies[0].rules[0]).toMatchObject({ admin_state_up: true, invert: false, key: null });
    expect(lb.pools[0]).toMatchObject({ admin_state_up: true, tls_enabled: false, tls_versions: null });
    expect(lb.pools[0].session_persistence).toEqual({ type: 'SOURCE_IP', cookie_name: null, persistence_timeout: 360, persistence_granularity: null });
    expect(lb.pools[0].members[0]).toMatchObject({ weight: 1, backup: false, admin_state_up: true, monitor_address: null, monitor_port: null });
    expect(lb.pools[0].healthmonitor).toMatchObject({ max_retries_down: 3, http_method: 'GET', url_path: '/', expected_codes: '200,202', http_version: 1, admin_state_up: true });
  });

  it('defaults the amphora to a single standalone VM', () => {
    const d: any = minimal();
    d.amphora = {};
    const r = validateDocument(d);
    expect(r.ok && r.doc.amphora).toEqual({ id: null, topology: 'SINGLE', role: 'STANDALONE', vrrp_address: null, vrrp_priority: null, vrrp_peers: [] });
  });

  it('does not change the input', () => {
    const d = loadExample('terminated-https-l7');
    const before = JSON.stringify(d);
    validateDocument(d);
    expect(JSON.stringify(d)).toBe(before);
  });
});
