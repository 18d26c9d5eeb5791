/**
 * haproxy slower than the agent's limit (`engine_timeout = 4`): a wrapper
 * around the real binary sleeps, once, when the master re-executes for a
 * reload (haproxy re-execs its own argv[0], so the wrapper stays in the loop)
 * or when it checks a file. A late check is ENGINE_TIMEOUT, not a refusal; a
 * late reload is waited for (never raced), then the previous generation is
 * reloaded, or the engine stopped and started when it does not settle; the
 * answer says so, and API, disk and engine agree with the VIP serving.
 */
import type { Backend } from '../lib/agent-backends';
import type { AgentProcess } from '../lib/agent-harness';
import { expectAgree, generationDoc, serveWrapped, stopWrapped } from '../lib/agreement';
import { slowNext as slowNextIn } from '../lib/haproxy-wrapper';

jest.setTimeout(120000);

const NET = '127.90.2';
let work: string;
let agent: AgentProcess;
let backends: Backend[];
let vip: { host: string; port: number };

const slowNext = (what: 'reload' | 'check', sec: number) => slowNextIn(work, what, sec);

beforeAll(async () => {
  ({ work, agent, backends, vip } = await serveWrapped(NET, 'rel-slow-engine-', 'engine_timeout = 4'));
});

afterAll(() => stopWrapped({ work, agent, backends }));

const details = async () => (await agent.api('GET', '/v1/details')).body;

it('answers a check slower than the limit with ENGINE_TIMEOUT (504), nothing changed', async () => {
  slowNext('check', 7);
  const r = await agent.api('PUT', '/v1/loadbalancer', generationDoc(2, vip, backends));
  expect(r.status).toBe(504);
  expect(r.body).toMatchObject({ code: 'ENGINE_TIMEOUT', step: 'check' });
  expect(r.body.timeout_ms).toBeGreaterThanOrEqual(4000);
  expect((await details()).last_refused).toMatchObject({ generation: 2, code: 'ENGINE_TIMEOUT', status: 504 });
  await expectAgree(agent, vip, 1);
});

it('waits for a late reload to settle, then serves the previous generation again (ENGINE_TIMEOUT, rolled back)', async () => {
  slowNext('reload', 6);
  const r = await agent.api('PUT', '/v1/loadbalancer', generationDoc(3, vip, backends));
  expect(r.status).toBe(504);
  expect(r.body).toMatchObject({ code: 'ENGINE_TIMEOUT', step: 'reload', rolled_back: true });
  expect(r.body.message).toContain('generation 1 is serving again');
  expect(r.body.message).not.toContain('stopped and started');
  await expectAgree(agent, vip, 1);
  expect((await details()).last_refused).toMatchObject({ generation: 3, code: 'ENGINE_TIMEOUT' });
});

it('stops and starts the engine when a late reload does not settle either, and says so', async () => {
  slowNext('reload', 16);
  const r = await agent.api('PUT', '/v1/loadbalancer', generationDoc(4, vip, backends));
  expect(r.status).toBe(504);
  expect(r.body).toMatchObject({ code: 'ENGINE_TIMEOUT', step: 'reload', rolled_back: true });
  expect(r.body.message).toContain('generation 1 is serving again (the engine was stopped and started)');
  await expectAgree(agent, vip, 1);
});

it('applies the next generation normally afterwards', async () => {
  const r = await agent.api('PUT', '/v1/loadbalancer', generationDoc(5, vip, backends));
  expect(r.body).toMatchObject({ result: 'applied', generation: 5 });
  await expectAgree(agent, vip, 5);
});
