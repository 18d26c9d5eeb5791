/**
 * A full state disk at every write of an apply: the state directory (and the
 * run dir in it) on a small tmpfs, filled so that 0, 1, 2 … pages stay free,
 * one PUT at each level. Every write meets a full disk at some level (the
 * candidate's files, the staged state record, the server-state dump at reload,
 * the commit). Each PUT is applied or refused as a whole: afterwards API,
 * disk and engine name the same generation and the VIP serves.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { AgentProcess, freePort, makeCerts, tempDir, until, type Certs } from '../lib/agent-harness';
import { agreedGeneration, expectAgree, generationDoc } from '../lib/agreement';

jest.setTimeout(240000);

const NET = '127.90.3';
const PAGE = 4096;
const MEMBERS = 300;
let work: string;
let stateDir: string;
let mounted = false;
let certs: Certs;
let agent: AgentProcess;
let backends: Backend[];
let vip: { host: string; port: number };

/** generationDoc with MEMBERS members (all but two disabled) and no monitor: a state record of ~150 KB, bigger than the agent's free-space margin. */
function bigDoc(g: number): any {
  const d = generationDoc(g, vip, backends);
  const pool = d.loadbalancer.pools[0];
  pool.healthmonitor = null;
  const [a, b] = pool.members;
  // two serving members; the others disabled, on an address of their own (the same address and port twice is refused)
  pool.members = [a, b, ...Array.from({ length: MEMBERS - 2 }, (_x, i) => ({ ...a, member_id: `gen${g}-m${i + 2}`, name: `member-${i + 2}`, address: `${NET}.9`, protocol_port: 40000 + i, admin_state_up: false }))];
  return d;
}

const filler = () => path.join(stateDir, 'filler');

/** Fills the tmpfs so that `pages` pages stay free. */
function leaveFree(pages: number): void {
  fs.rmSync(filler(), { force: true });
  const s = fs.statfsSync(stateDir);
  const fill = (s.bavail - pages) * PAGE;
  if (fill > 0) fs.writeFileSync(filler(), Buffer.alloc(fill));
}

beforeAll(async () => {
  work = tempDir('rel-disk-full-');
  stateDir = path.join(work, 'state');
  fs.mkdirSync(stateDir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', stateDir]);
  mounted = true;
  certs = makeCerts(`${work}/certs`, `${NET}.1`);
  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
  vip = { host: `${NET}.2`, port: await freePort(`${NET}.2`) };
  agent = new AgentProcess({ ip: `${NET}.1`, certs, stateDir }, work);
  await agent.start();
  expect((await agent.api('PUT', '/v1/loadbalancer', bigDoc(1))).status).toBe(200);
  await until('generation 1 to serve', () => expectAgree(agent, vip, 1).then(() => true));
});

afterAll(async () => {
  await agent?.cleanup();
  await stopBackends(backends ?? []);
  if (mounted) execFileSync('umount', [stateDir]);
  fs.rmSync(work, { recursive: true, force: true });
});

it('keeps API, disk and engine in agreement whichever write of an apply finds the disk full', async () => {
  const outcomes: Record<string, number> = {};
  const torn: string[] = [];
  let g = 1;
  let served = 1;
  for (let pages = 0; pages <= 150; pages += 3) {
    leaveFree(pages);
    g++;
    const r = await agent.api('PUT', '/v1/loadbalancer', bigDoc(g));
    const key = r.status === 200 ? 'applied' : `${r.status} ${r.body.code}${r.body.rolled_back ? ' rolled back' : ''}: ${String(r.body.message).replace(/.*has no room for (.*?)( \(|$).*/, '$1')}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    fs.rmSync(filler(), { force: true });
    // what the API reports after the PUT is what serves (a rolled-back apply serves the last good generation)
    const expected = r.status === 200 ? g : served;
    const seen = await until(`agreement after the PUT at ${pages} free pages`, async () => (await agreedGeneration(agent, vip)).g ?? null, 10000).catch(async () => {
      torn.push(`${pages} pages: ${r.status} ${JSON.stringify((await agreedGeneration(agent, vip)).a)}`);
      return null;
    });
    if (seen !== null && seen !== expected) torn.push(`${pages} pages: answered ${r.status} but generation ${seen} serves (expected ${expected})`);
    if (r.status === 200) served = g;
    else expect([507, 503]).toContain(r.status);
    if (r.status !== 200) expect((await agent.api('GET', '/v1/details')).body.last_refused).toMatchObject({ generation: g, status: r.status });
  }
  // eslint-disable-next-line no-console
  console.log(`ENOSPC sweep: ${g - 1} applies, torn states: ${torn.length}, outcomes: ${JSON.stringify(outcomes, null, 1)}`);
  expect(torn).toEqual([]);
  // the sweep crossed every stage: refused before anything was written, after the candidate, and applied.
  // The candidate is written by the validation worker: its StorageFull crosses to the daemon as fields and is answered as one
  expect(Object.keys(outcomes)).toContain('507 STORAGE_FULL: the candidate configuration');
  expect(Object.keys(outcomes).some((k) => k.includes('the new state record'))).toBe(true);
  expect(outcomes.applied).toBeGreaterThan(0);
  await expectAgree(agent, vip, served);
});
