/**
 * A document in the shape a 2025.x Octavia sends (contract example
 * octavia-2025-full: hsts_* on every listener, vip_sg_ids, vnic_type on every
 * member, every key present) through the real agent and haproxy on
 * 127.80.1.0/24: applied, served, and Strict-Transport-Security on the
 * TERMINATED_HTTPS listener only, and only while hsts_max_age is set.
 */
import { freePort, until } from '../lib/agent-harness';
import { useAgent } from '../lib/agent-fixture';
import { loopbackExample } from '../lib/agent-docs';
import { loadExample } from '../lib/examples';
import { request } from '../lib/render-backends';

jest.setTimeout(60000);

const NET = '127.80.1';
const VIP = `${NET}.2`;
const f = useAgent(NET, { prefix: 'agent-octavia-2025-', backends: ['alpha', 'beta'] });
let ports: number[];
const byProtocol = (d: any, protocol: string) => d.loadbalancer.listeners.findIndex((l: { protocol: string }) => l.protocol === protocol);
beforeAll(async () => {
  ports = await Promise.all(loadExample('octavia-2025-full').loadbalancer.listeners.map(() => freePort(VIP)));
});

const doc = (generation: number) => loopbackExample('octavia-2025-full', generation, VIP, ports, f.backends);
const https = (d: any) => request(VIP, d.loadbalancer.listeners[byProtocol(d, 'TERMINATED_HTTPS')].protocol_port, { tls: { servername: 'www.example.com' } });
const http = (d: any) => request(VIP, d.loadbalancer.listeners[byProtocol(d, 'HTTP')].protocol_port);

test('the 2025.x document is accepted with every key Octavia sends, and served', async () => {
  const d = doc(1);
  // what makes it a 2025.x document: the keys an older schema refused
  expect(d.loadbalancer.vip_sg_ids).toHaveLength(1);
  expect(d.loadbalancer.pools[0].members[0].vnic_type).toBe('normal');
  for (const l of d.loadbalancer.listeners) expect(Object.keys(l)).toEqual(expect.arrayContaining(['hsts_max_age', 'hsts_include_subdomains', 'hsts_preload']));
  const r = await f.agent.api('PUT', '/v1/loadbalancer', d);
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ result: 'applied', generation: 1 });
  // members answer once their HTTP monitor (GET /healthz, Host www.example.com) passes
  const res = await until('a member answers through TERMINATED_HTTPS', async () => {
    const x = await https(d);
    return x.status === 200 ? x : null;
  });
  expect(['alpha\n', 'beta\n']).toContain(res.body);
});

test('Strict-Transport-Security on the TERMINATED_HTTPS listener, in Octavia\'s format', async () => {
  const d = doc(1);
  const res = await https(d);
  expect(res.status).toBe(200);
  expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains;');
});

test('no Strict-Transport-Security on the HTTP listener (its hsts_max_age is null)', async () => {
  const d = doc(1);
  expect(d.loadbalancer.listeners[byProtocol(d, 'HTTP')].hsts_max_age).toBeNull();
  const res = await http(d);
  expect(res.status).toBe(200);
  expect(res.headers['strict-transport-security']).toBeUndefined();
});

test('hsts_max_age back to null: the header is gone; set with preload: it is back', async () => {
  const off = doc(2);
  Object.assign(off.loadbalancer.listeners[byProtocol(off, 'TERMINATED_HTTPS')], { hsts_max_age: null, hsts_include_subdomains: false, hsts_preload: false });
  expect((await f.agent.api('PUT', '/v1/loadbalancer', off)).status).toBe(200);
  const a = await https(off);
  expect(a.status).toBe(200);
  expect(a.headers['strict-transport-security']).toBeUndefined();

  const on = doc(3);
  Object.assign(on.loadbalancer.listeners[byProtocol(on, 'TERMINATED_HTTPS')], { hsts_max_age: 600, hsts_include_subdomains: false, hsts_preload: true });
  expect((await f.agent.api('PUT', '/v1/loadbalancer', on)).status).toBe(200);
  expect((await https(on)).headers['strict-transport-security']).toBe('max-age=600; preload;');
});

test('HSTS options Octavia\'s API refuses are refused with 400 naming the field, and nothing changes', async () => {
  const bad = doc(4);
  bad.loadbalancer.listeners[byProtocol(bad, 'HTTP')].hsts_max_age = 300;
  bad.loadbalancer.listeners[byProtocol(bad, 'TCP')].hsts_preload = true;
  const r = await f.agent.api('PUT', '/v1/loadbalancer', bad);
  expect(r.status).toBe(400);
  expect(r.body.errors).toEqual([
    { path: `loadbalancer.listeners[${byProtocol(bad, 'HTTP')}].hsts_max_age`, message: expect.stringContaining('TERMINATED_HTTPS') },
    { path: `loadbalancer.listeners[${byProtocol(bad, 'TCP')}].hsts_preload`, message: expect.stringContaining('hsts_max_age') },
  ]);
  expect((await f.agent.api('GET', '/v1/loadbalancer')).body.generation).toBe(3);
});
