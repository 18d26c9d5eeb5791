/**
 * A load balancer with admin_state_up false (real agent, real haproxy,
 * 127.80.2.0/24): applied at once (200), nothing listens on its VIP, the
 * API and the heartbeat plan agree; enabled again, it serves.
 */
import { freePort, until } from '../lib/agent-harness';
import { get } from '../lib/agent-backends';
import { useAgent } from '../lib/agent-fixture';
import { httpBasicDoc } from '../lib/agent-docs';

jest.setTimeout(60000);

const NET = '127.80.2';
const f = useAgent(NET, { prefix: 'agent-disabled-lb-', backends: ['alpha', 'beta'] });
let vipPort: number;
beforeAll(async () => {
  vipPort = await freePort(`${NET}.2`);
});

const doc = (generation: number, enabled: boolean) => {
  const d = httpBasicDoc(generation, { host: `${NET}.2`, port: vipPort }, f.backends);
  d.loadbalancer.admin_state_up = enabled;
  return d;
};
const refused = () => get(`${NET}.2`, vipPort).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');

test.each([
  ['as the first document (haproxy starts with nothing to serve)', 1],
  ['after an enabled one (haproxy reloads to nothing)', 3],
])('disabled %s: 200 at once, nothing served', async (_what, generation) => {
  if (generation > 1) {
    expect((await f.agent.api('PUT', '/v1/loadbalancer', doc(generation - 1, true))).status).toBe(200);
    await until('the VIP to serve', async () => (await get(`${NET}.2`, vipPort)).status === 200);
  }
  const r = await f.agent.api('PUT', '/v1/loadbalancer', doc(generation, false));
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ result: 'applied', generation });
  expect(await refused()).toBe(true);
  const det = (await f.agent.api('GET', '/v1/details')).body;
  expect(det.applied_generation).toBe(generation);
  expect(det.engine_process.running).toBe(true);
  expect(Object.values(det.listeners)).toEqual([expect.objectContaining({ status: 'DOWN' })]);
  expect(f.agent.lines.some((l) => l.level === 'error')).toBe(false);
});

test('enabled again, it serves', async () => {
  expect((await f.agent.api('PUT', '/v1/loadbalancer', doc(4, true))).status).toBe(200);
  expect((await get(`${NET}.2`, vipPort)).status).toBe(200);
});
