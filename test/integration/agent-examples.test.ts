/**
 * Every contract example, rewritten to loopback, goes through the real agent
 * and real haproxy: applied (200), its TCP-family listeners OPEN, and the
 * configuration GET /v1/config shows is the one haproxy runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentProcess, freePort, makeCerts, tempDir, type Certs } from '../lib/agent-harness';
import { startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { loopbackExample } from '../lib/agent-docs';
import { exampleNames, loadExample } from '../lib/examples';

jest.setTimeout(60000);

const NET = '127.20.8';
let work: string;
let certs: Certs;
let agent: AgentProcess;
let backends: Backend[];

beforeAll(async () => {
  work = tempDir('agent-examples-');
  certs = makeCerts(`${work}/certs`, `${NET}.1`);
  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
  agent = new AgentProcess({ ip: `${NET}.1`, certs }, work);
  await agent.start();
});

afterAll(async () => {
  await agent?.cleanup();
  await stopBackends(backends ?? []);
  fs.rmSync(work, { recursive: true, force: true });
});

let generation = 0;

it.each(exampleNames())('applies %s and serves its listeners', async (name) => {
  const raw = loadExample(name);
  const ports = await Promise.all(raw.loadbalancer.listeners.map(() => freePort(`${NET}.2`)));
  const d = loopbackExample(name, ++generation, `${NET}.2`, ports, backends);
  const r = await agent.api('PUT', '/v1/loadbalancer', d);
  expect(r.body).toMatchObject({ result: 'applied', generation, reloaded: true });
  const det = (await agent.api('GET', '/v1/details')).body;
  for (const l of d.loadbalancer.listeners) {
    const served = l.admin_state_up && !['UDP', 'SCTP'].includes(l.protocol);
    if (served) expect(det.listeners[l.listener_id]).toMatchObject({ status: 'OPEN' });
  }
  const cfg = (await agent.api('GET', '/v1/config')).body;
  const running = fs.readFileSync(path.join(agent.stateDir, 'current', cfg.main), 'utf8');
  expect(cfg.files[cfg.main]).toBe(running);
});

it('applies terminated-https-l7 with its ACTIVE_STANDBY amphora and IPv6 additional VIP as given (addresses not on this machine)', async () => {
  const raw = loadExample('terminated-https-l7');
  const ports = await Promise.all(raw.loadbalancer.listeners.map(() => freePort(`${NET}.2`)));
  const d = loopbackExample('terminated-https-l7', ++generation, `${NET}.2`, ports, backends);
  // what the helper drops for the other tests: haproxy binds peers on 10.0.0.11 and the VIP 2001:db8::20 transparently
  d.amphora = raw.amphora;
  d.loadbalancer.additional_vips = raw.loadbalancer.additional_vips;
  const r = await agent.api('PUT', '/v1/loadbalancer', d);
  expect(r.body).toMatchObject({ result: 'applied', generation, reloaded: true });
  const cfg = (await agent.api('GET', '/v1/config')).body;
  expect(cfg.files[cfg.main]).toMatch(/bind 10\.0\.0\.11:1025 transparent/);
  expect(cfg.files[cfg.main]).toMatch(/bind \[2001:db8::20\]:\d+ .*transparent/);
  // the HTTP listener redirects to https (the example's REDIRECT_PREFIX 308 policy), served on the loopback VIP
  const http = d.loadbalancer.listeners.find((l: { protocol: string }) => l.protocol === 'HTTP');
  const res = await fetch(`http://${NET}.2:${http.protocol_port}/any`, { redirect: 'manual' });
  expect(res.status).toBe(308);
  expect(res.headers.get('location')).toBe('https://www.example.com/any');
});
