/**
 * The agent's monitors on an nginx VM (127.50.24.0/24): a member whose check
 * fails is rendered `down` and gets no traffic, and comes back when its check
 * passes; a flapping member costs at most one reload per REFRESH_MIN_INTERVAL_MS;
 * a member held DOWN stays so across an agent restart, which adopts nginx
 * without a reload.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { REFRESH_MIN_INTERVAL_MS } from '../../agent/engines/nginx-runtime';
import { AgentProcess, freePort, makeCerts, tempDir, until, type Certs } from '../lib/agent-harness';
import { get } from '../lib/agent-backends';
import { httpBasicDoc } from '../lib/agent-docs';

jest.setTimeout(60000);

const NET = '127.50.24';
let work: string;
let certs: Certs;
let agent: AgentProcess;
let vipPort: number;
/** two members answering their name; `healthy` decides what /healthz answers */
const members = [{ name: 'alpha', healthy: true, server: null as http.Server | null, port: 0 }, { name: 'beta', healthy: true, server: null as http.Server | null, port: 0 }];

beforeAll(async () => {
  work = tempDir('nginx-health-');
  certs = makeCerts(`${work}/certs`, `${NET}.1`);
  for (const m of members) {
    m.server = http.createServer((req, res) => {
      req.resume();
      res.statusCode = req.url === '/' ? 200 : m.healthy ? 200 : 503;
      res.end(`${m.name}\n`);
    });
    await new Promise<void>((r) => m.server!.listen(0, `${NET}.3`, r));
    m.port = (m.server!.address() as net.AddressInfo).port;
  }
  vipPort = await freePort(`${NET}.2`);
  agent = new AgentProcess({ ip: `${NET}.1`, certs, engine: 'nginx' }, work);
  await agent.start();
});

afterAll(async () => {
  await agent?.cleanup();
  for (const m of members) {
    m.server?.closeAllConnections();
    await new Promise((r) => m.server?.close(r));
  }
  fs.rmSync(work, { recursive: true, force: true });
});

/** http-basic on the two members; its monitor on /healthz every second, one result changes a state. */
const doc = (g: number) => {
  const d = httpBasicDoc(g, { host: `${NET}.2`, port: vipPort }, members.map((m) => ({ host: `${NET}.3`, port: m.port })));
  Object.assign(d.loadbalancer.pools[0].healthmonitor, { url_path: '/healthz', max_retries: 1, max_retries_down: 1, http_version: 1.0, domain_name: null });
  return d;
};
const who = async (n: number) => {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add((await get(`${NET}.2`, vipPort)).body.trim());
  return [...seen].sort();
};
const reloads = async () => (await agent.api('GET', '/v1/details')).body.engine_process.reloads as number;

test('a failing member is rendered down and gets no traffic; it comes back when its check passes', async () => {
  expect((await agent.api('PUT', '/v1/loadbalancer', doc(1))).status).toBe(200);
  await until('both members serving', async () => (await who(8)).length === 2);
  members[1].healthy = false;
  const rendered = new RegExp(`server ${NET.replace(/\./g, '\\.')}\\.3:${members[1].port} weight=\\d+ max_fails=0 down;`);
  await until('beta held DOWN and rendered down', async () => rendered.test((await agent.api('GET', '/v1/config')).body.files['nginx.conf']));
  expect(await who(8)).toEqual(['alpha']);
  members[1].healthy = true;
  await until('beta back', async () => (await who(8)).length === 2);
});

test(`a flapping member costs at most one reload per ${REFRESH_MIN_INTERVAL_MS} ms`, async () => {
  const before = await reloads();
  const t0 = Date.now();
  const flip = setInterval(() => (members[0].healthy = !members[0].healthy), 300);
  await new Promise((r) => setTimeout(r, 6000));
  clearInterval(flip);
  const elapsed = Date.now() - t0;
  members[0].healthy = true;
  const during = (await reloads()) - before;
  // eslint-disable-next-line no-console
  console.log(`flapping for ${elapsed} ms: ${during} reload(s)`);
  expect(during).toBeGreaterThan(0);
  expect(during).toBeLessThanOrEqual(Math.ceil(elapsed / REFRESH_MIN_INTERVAL_MS) + 1);
  await until('alpha back after the flapping', async () => (await who(8)).length === 2);
});

test('a member held DOWN stays so across an agent restart, which adopts nginx without a reload', async () => {
  members[1].healthy = false;
  await until('beta rendered down', async () => (await who(8)).join() === 'alpha');
  const master = agent.masterPid();
  const worker = (await agent.api('GET', '/v1/details')).body.engine_process.worker_pid;
  expect(await agent.stop()).toBe(0);
  await agent.start();
  expect(agent.masterPid()).toBe(master);
  expect((await agent.api('GET', '/v1/details')).body.engine_process.worker_pid).toBe(worker);
  expect(agent.lines.some((l) => l.msg === 'adopted the running engine')).toBe(true);
  expect(await who(6)).toEqual(['alpha']);
  members[1].healthy = true;
  await until('beta back after the restart', async () => (await who(8)).length === 2);
});
