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

it('refuses the ACTIVE_STANDBY example on a VM without its VRRP interface (422 naming vrrp_interface); the previous document keeps serving', async () => {
  // the example as given runs keepalived's VRRP on vrrp_interface (eth1 by default), which this machine lacks;
  // it is applied and failed over for real in network namespaces by agent-vrrp-failover.test.ts
  const before = (await agent.api('GET', '/v1/loadbalancer')).body.generation;
  const raw = loadExample('terminated-https-l7');
  const ports = await Promise.all(raw.loadbalancer.listeners.map(() => freePort(`${NET}.2`)));
  const d = loopbackExample('terminated-https-l7', ++generation, `${NET}.2`, ports, backends);
  d.amphora = raw.amphora;
  const r = await agent.api('PUT', '/v1/loadbalancer', d);
  expect(r.status).toBe(422);
  expect(r.body).toMatchObject({ code: 'VRRP_INTERFACE_MISSING', vrrp_interface: 'eth1', interfaces: expect.arrayContaining(['lo']) });
  expect(r.body.message).toMatch(/^\[amphora_agent\] vrrp_interface: eth1 does not exist on this VM/);
  expect((await agent.api('GET', '/v1/loadbalancer')).body.generation).toBe(before);
  expect((await agent.api('GET', '/v1/details')).body.keepalived).toMatchObject({ running: false, pid: null, vrrp_state: null });
});
