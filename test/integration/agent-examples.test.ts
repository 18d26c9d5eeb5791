/**
 * Every contract example, rewritten to loopback, goes through the real agent
 * and real haproxy (the shared suite, test/lib/agent-conformance; nginx runs
 * it in nginx-agent-examples): applied (200), its TCP-family listeners OPEN,
 * and the configuration GET /v1/config shows is the one haproxy runs. And the
 * ACTIVE_STANDBY example on a VM without its VRRP interface.
 */
import { freePort } from '../lib/agent-harness';
import { describeExamples } from '../lib/agent-conformance';
import { loopbackExample } from '../lib/agent-docs';
import { loadExample } from '../lib/examples';

jest.setTimeout(60000);

const NET = '127.20.8';
const suite = describeExamples('haproxy', NET);

it('refuses the ACTIVE_STANDBY example on a VM without its VRRP interface (422 naming vrrp_interface); the previous document keeps serving', async () => {
  // the example as given runs keepalived's VRRP on vrrp_interface (eth1 by default), which this machine lacks;
  // it is applied and failed over for real in network namespaces by agent-vrrp-failover.test.ts
  const agent = suite.agent();
  const before = (await agent.api('GET', '/v1/loadbalancer')).body.generation;
  const raw = loadExample('terminated-https-l7');
  const ports = await Promise.all(raw.loadbalancer.listeners.map(() => freePort(`${NET}.2`)));
  const d = loopbackExample('terminated-https-l7', suite.nextGeneration(), `${NET}.2`, ports, suite.backends());
  d.amphora = raw.amphora;
  const r = await agent.api('PUT', '/v1/loadbalancer', d);
  expect(r.status).toBe(422);
  expect(r.body).toMatchObject({ code: 'VRRP_INTERFACE_MISSING', vrrp_interface: 'eth1', interfaces: expect.arrayContaining(['lo']) });
  expect(r.body.message).toMatch(/^\[amphora_agent\] vrrp_interface: eth1 does not exist on this VM/);
  expect((await agent.api('GET', '/v1/loadbalancer')).body.generation).toBe(before);
  expect((await agent.api('GET', '/v1/details')).body.keepalived).toMatchObject({ running: false, pid: null, vrrp_state: null });
});
