/**
 * The agent SIGKILLed in the middle of applies, then started again on the
 * same state dir: while `haproxy -c` checks the candidate, while the master
 * re-executes for the reload (paused there by the haproxy wrapper, released
 * before or after the new agent starts), and at moments spread over whole
 * PUTs. Then concurrent PUTs. After each, API, disk and engine agree on one
 * generation (the last committed, or the new one once committed) and the VIP
 * serves: no torn state.
 */
import type { Backend } from '../lib/agent-backends';
import { until, type AgentProcess } from '../lib/agent-harness';
import { agreedGeneration, generationDoc, serveWrapped, stopWrapped } from '../lib/agreement';
import { pauseNext } from '../lib/haproxy-wrapper';

jest.setTimeout(240000);

const NET = '127.90.4';
let work: string;
let agent: AgentProcess;
let backends: Backend[];
let vip: { host: string; port: number };
let g = 1;
/** the generation last seen committed and serving */
let committed = 1;
const torn: string[] = [];
let kills = 0;

beforeAll(async () => {
  ({ work, agent, backends, vip } = await serveWrapped(NET, 'rel-agent-kill-'));
});

afterAll(async () => {
  await stopWrapped({ work, agent, backends });
  // eslint-disable-next-line no-console
  console.log(`agent SIGKILLs during applies: ${kills}, torn states: ${torn.length}`);
});

/** Kills the agent, runs `between`, starts it again; returns the generation everyone agrees on, recording a torn state when they do not. */
async function killAndRestart(what: string, between: () => void = () => undefined): Promise<number | null> {
  kills++;
  await agent.stop('SIGKILL');
  between();
  await agent.start();
  const agreed = await until(`agreement after a kill ${what}`, async () => (await agreedGeneration(agent, vip)).g, 20000).catch(async () => {
    torn.push(`${what}: ${JSON.stringify((await agreedGeneration(agent, vip)).a)}`);
    return null;
  });
  if (agreed !== null) committed = agreed;
  return agreed;
}

it('while haproxy -c checks the candidate: the last committed generation serves', async () => {
  const p = pauseNext(work, 'check');
  const put = agent.api('PUT', '/v1/loadbalancer', generationDoc(++g, vip, backends)).catch(() => null);
  await until('the check to pause', () => p.reached(), 20000);
  const before = committed;
  expect(await killAndRestart('during the check', () => p.release())).toBe(before);
  await put;
});

it('while the master re-executes for the reload, released before the agent restarts', async () => {
  const before = committed;
  const p = pauseNext(work, 'reload');
  const put = agent.api('PUT', '/v1/loadbalancer', generationDoc(++g, vip, backends)).catch(() => null);
  await until('the reload to pause', () => p.reached(), 20000);
  // the master goes on to load the uncommitted candidate; the new agent must not adopt it
  expect(await killAndRestart('during the reload (released first)', () => p.release())).toBe(before);
  await put;
});

it('while the master re-executes for the reload, still paused when the agent restarts (it waits for it to settle)', async () => {
  const before = committed;
  const p = pauseNext(work, 'reload');
  const put = agent.api('PUT', '/v1/loadbalancer', generationDoc(++g, vip, backends)).catch(() => null);
  await until('the reload to pause', () => p.reached(), 20000);
  const release = setTimeout(() => p.release(), 1500);
  expect(await killAndRestart('during the reload (released after)')).toBe(before);
  clearTimeout(release);
  await put;
});

it('at moments spread over whole PUTs: the old or the new generation, never a mix', async () => {
  // how long one PUT takes here, to spread the kills over it
  const t0 = Date.now();
  expect((await agent.api('PUT', '/v1/loadbalancer', generationDoc(++g, vip, backends))).status).toBe(200);
  committed = g;
  const putMs = Math.max(50, Date.now() - t0);
  const n = 10;
  for (let i = 0; i < n; i++) {
    const before = committed;
    const put = agent.api('PUT', '/v1/loadbalancer', generationDoc(++g, vip, backends)).catch(() => null);
    await new Promise((r) => setTimeout(r, Math.round((putMs * 1.2 * i) / n)));
    const agreed = await killAndRestart(`${i}/${n} into a PUT of generation ${g}`);
    await put;
    if (agreed !== null) expect([before, g]).toContain(agreed);
  }
  expect(torn).toEqual([]);
});

it('concurrent PUTs: one apply at a time, the highest generation wins, everyone agrees', async () => {
  const base = (await agreedGeneration(agent, vip)).g!;
  const other = generationDoc(base + 2, vip, backends);
  other.loadbalancer.pools[0].members[0].weight = 9;
  const docs = [generationDoc(base + 1, vip, backends), generationDoc(base + 2, vip, backends), other, generationDoc(base + 3, vip, backends), generationDoc(base + 1, vip, backends)];
  const answers = await Promise.all(docs.map((d) => agent.api('PUT', '/v1/loadbalancer', d)));
  for (const a of answers) expect([200, 409]).toContain(a.status);
  // the two different documents of one generation: never both applied
  expect(answers.filter((a, i) => a.status === 200 && a.body.result === 'applied' && docs[i].generation === base + 2).length).toBeLessThanOrEqual(1);
  // the highest is higher than anything before or after it
  expect(answers[3].body).toMatchObject({ result: 'applied', generation: base + 3 });
  const agreed = await until('agreement after concurrent PUTs', async () => (await agreedGeneration(agent, vip)).g, 10000);
  expect(agreed).toBe(Math.max(...answers.filter((a) => a.status === 200).map((a) => a.body.generation)));
  expect(torn).toEqual([]);
});
