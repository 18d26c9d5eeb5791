/**
 * What Octavia's API takes for traffic that is not HTTP, and its amphora
 * serves without. L7 policies on a TCP listener, as Octavia's API takes them: the agent
 * applies the document and serves the listener without them, on the real
 * engine, as Octavia's amphora does (haproxy ignores HTTP rules in a TCP
 * frontend). A REJECT policy that would answer every HTTP request 403 lets
 * the traffic through. An SSL rule on a plain HTTP listener finds no TLS:
 * it never matches, and inverted it matches every request (Octavia's API
 * takes it; its haproxy renders it the same way). Cookie persistence on a
 * TCP pool is taken and not served (haproxy has no cookie in TCP mode): the
 * traffic reaches every member. Loopback blocks
 * 127.41.2.0/24 (haproxy) and 127.41.3.0/24 (nginx).
 */
import * as fs from 'node:fs';
import { AgentProcess, makeCerts, tempDir, freePort } from '../lib/agent-harness';
import { startBackend, stopBackends, get, type Backend } from '../lib/agent-backends';
import { httpBasicDoc } from '../lib/agent-docs';

jest.setTimeout(60000);

describe.each([
  ['haproxy', '127.41.2'],
  ['nginx', '127.41.3'],
] as const)('%s', (engine, NET) => {
  let work: string;
  let agent: AgentProcess;
  let backends: Backend[];
  beforeAll(async () => {
    work = tempDir(`agent-l7-tcp-${engine}-`);
    backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
    agent = new AgentProcess({ ip: `${NET}.1`, certs: makeCerts(`${work}/certs`, `${NET}.1`), engine }, work);
    await agent.start();
  });
  afterAll(async () => {
    await agent?.cleanup();
    await stopBackends(backends ?? []);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('applies a TCP listener with an L7 policy and serves it without the policy', async () => {
    const port = await freePort(`${NET}.2`);
    const d = httpBasicDoc(1, { host: `${NET}.2`, port }, backends);
    const l = d.loadbalancer.listeners[0];
    l.protocol = 'TCP';
    l.insert_headers = null;
    d.loadbalancer.pools[0].protocol = 'TCP';
    d.loadbalancer.pools[0].session_persistence = null;
    // on an HTTP listener this answers every request 403
    l.l7policies = [{
      l7policy_id: 'c2d3e4f5-0000-4000-8000-000000000001', listener_id: l.listener_id, action: 'REJECT', position: 1, admin_state_up: true,
      rules: [{ l7rule_id: 'c2d3e4f5-0000-4000-8000-000000000002', type: 'PATH', compare_type: 'STARTS_WITH', value: '/', invert: false, admin_state_up: true }],
    }];
    const r = await agent.api('PUT', '/v1/loadbalancer', d);
    expect([r.status, r.body]).toEqual([200, expect.anything()]);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const g = await get(`${NET}.2`, port);
      expect(g.status).toBe(200);
      seen.add(g.body.trim());
    }
    expect([...seen].every((b) => b === 'alpha' || b === 'beta')).toBe(true);
    // the document as applied keeps the policy (what was pushed is what the API reports)
    const applied = await agent.api('GET', '/v1/loadbalancer');
    expect(applied.body.document.loadbalancer.listeners[0].l7policies).toHaveLength(1);
  });

  it('applies HTTP_COOKIE persistence on a TCP pool and balances without it', async () => {
    const port = await freePort(`${NET}.2`);
    const d = httpBasicDoc(5, { host: `${NET}.2`, port }, backends);
    d.loadbalancer.listeners[0].protocol = 'TCP';
    d.loadbalancer.listeners[0].insert_headers = null;
    d.loadbalancer.pools[0].protocol = 'TCP';
    d.loadbalancer.pools[0].session_persistence = { type: 'HTTP_COOKIE', cookie_name: null, persistence_timeout: 360, persistence_granularity: null };
    const r = await agent.api('PUT', '/v1/loadbalancer', d);
    expect([r.status, r.body]).toEqual([200, expect.anything()]);
    const seen = new Set<string>();
    for (let i = 0; i < 8 && seen.size < 2; i++) {
      const g = await get(`${NET}.2`, port);
      expect(g.status).toBe(200);
      seen.add(g.body.trim());
    }
    expect([...seen].sort()).toEqual(['alpha', 'beta']);
  });

  it('on a plain HTTP listener, an SSL rule never matches, and inverted matches every request', async () => {
    const port = await freePort(`${NET}.2`);
    const cases: [Record<string, unknown>, number][] = [
      [{ type: 'SSL_CONN_HAS_CERT', compare_type: 'EQUAL_TO', value: 'True', invert: false }, 200],
      [{ type: 'SSL_VERIFY_RESULT', compare_type: 'EQUAL_TO', value: '0', invert: false }, 200],
      [{ type: 'SSL_DN_FIELD', compare_type: 'EQUAL_TO', key: 'CN', value: 'client', invert: false }, 200],
      [{ type: 'SSL_CONN_HAS_CERT', compare_type: 'EQUAL_TO', value: 'True', invert: true }, 403],
      [{ type: 'SSL_DN_FIELD', compare_type: 'EQUAL_TO', key: 'CN', value: 'client', invert: true }, 403],
    ];
    let generation = 10;
    for (const [rule, status] of cases) {
      const d = httpBasicDoc(++generation, { host: `${NET}.2`, port }, backends);
      const l = d.loadbalancer.listeners[0];
      l.l7policies = [{
        l7policy_id: 'c2d3e4f5-0000-4000-8000-000000000011', listener_id: l.listener_id, action: 'REJECT', position: 1, admin_state_up: true,
        rules: [{ l7rule_id: 'c2d3e4f5-0000-4000-8000-000000000012', admin_state_up: true, ...rule }],
      }];
      const r = await agent.api('PUT', '/v1/loadbalancer', d);
      expect([r.status, r.body]).toEqual([200, expect.anything()]);
      const g = await get(`${NET}.2`, port);
      expect([rule, g.status]).toEqual([rule, status]);
    }
  });
});
