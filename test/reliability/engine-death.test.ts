/**
 * The engine killed under the agent: its master, or only its serving worker
 * (the master exits with it). The agent notices, logs an error, starts it
 * again from `current`, counts it in GET /v1/details, heartbeats resume, and
 * API, disk and engine agree on the applied generation with the VIP serving.
 * A PUT of the applied generation while it does not serve serves it again.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { queryUnixSocket } from '../../agent/unix-socket';
import { get, startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { AgentProcess, alive, freePort, makeCerts, tempDir, until, type Certs } from '../lib/agent-harness';
import { expectAgree, generationDoc } from '../lib/agreement';

jest.setTimeout(120000);

const NET = '127.90.1';
let work: string;
let certs: Certs;
let agent: AgentProcess;
let backends: Backend[];
let vip: { host: string; port: number };
let hb: dgram.Socket;
const beats: number[] = [];

beforeAll(async () => {
  work = tempDir('rel-engine-death-');
  certs = makeCerts(`${work}/certs`, `${NET}.1`);
  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
  vip = { host: `${NET}.2`, port: await freePort(`${NET}.2`) };
  hb = dgram.createSocket('udp4');
  hb.on('message', () => beats.push(Date.now()));
  await new Promise<void>((r) => hb.bind(0, `${NET}.4`, () => r()));
  agent = new AgentProcess({ ip: `${NET}.1`, certs, heartbeat: { controllers: `${NET}.4:${hb.address().port}`, intervalSec: 1 } }, work);
  await agent.start();
  expect((await agent.api('PUT', '/v1/loadbalancer', generationDoc(1, vip, backends))).status).toBe(200);
  await until('generation 1 to serve', () => expectAgree(agent, vip, 1).then(() => true));
});

afterAll(async () => {
  await agent?.cleanup();
  await stopBackends(backends ?? []);
  hb?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const details = async () => (await agent.api('GET', '/v1/details')).body;

/** Kills `pid`, waits for a new master serving generation 1, and returns how long the VIP was down. */
async function killAndRecover(pid: number, expectRestarts: number): Promise<number> {
  const master = agent.masterPid();
  const t0 = Date.now();
  process.kill(pid, 'SIGKILL');
  await until('the old master to be gone', () => !alive(master!), 10000);
  await until('a new master serving generation 1', async () => agent.masterPid() !== master && (await expectAgree(agent, vip, 1)) && true, 20000);
  const downMs = Date.now() - t0;
  const d = await details();
  expect(d.engine_supervisor).toMatchObject({ restarts: expectRestarts, deaths: expectRestarts, last_restart_error: null });
  expect(d.engine_process).toMatchObject({ running: true });
  return downMs;
}

it('starts a killed master again and serves the applied generation, logging the death as an error', async () => {
  const ms = await killAndRecover(agent.masterPid()!, 1);
  expect(agent.lines.some((l) => l.level === 'error' && l.msg === 'haproxy died; restarting it')).toBe(true);
  expect(agent.lines.some((l) => l.level === 'warn' && l.msg === 'haproxy restarted')).toBe(true);
  // eslint-disable-next-line no-console
  console.log(`engine master SIGKILL: serving again after ${ms} ms`);
});

it('starts it again when only the serving worker is killed (the master exits with it)', async () => {
  const worker = (await details()).engine_process.worker_pid as number;
  expect(worker).toBeGreaterThan(1);
  const ms = await killAndRecover(worker, 2);
  // eslint-disable-next-line no-console
  console.log(`engine worker SIGKILL: serving again after ${ms} ms`);
});

it('heartbeats resume once it serves again', async () => {
  const since = Date.now();
  await until('a heartbeat after the restarts', () => beats.some((t) => t > since), 10000);
  expect((await details()).heartbeat).toMatchObject({ running: true, last_result: 'sent' });
});

it('re-serves the applied generation on a PUT of it while the engine runs but does not serve it', async () => {
  const listener = generationDoc(1, vip, backends).loadbalancer.listeners[0].listener_id;
  // the frontend stopped behind the agent's back: the master lives, the supervisor sees nothing wrong, the VIP is refused
  await queryUnixSocket(path.join(agent.runDir, 'haproxy.sock'), `disable frontend ${listener}`);
  await until('the VIP to refuse', async () => (await get(vip.host, vip.port).then(() => false, () => true)), 10000);
  const r = await agent.api('PUT', '/v1/loadbalancer', generationDoc(1, vip, backends));
  expect(r.body).toMatchObject({ result: 'applied', generation: 1, reloaded: true });
  await expectAgree(agent, vip, 1);
  expect(agent.lines.some((l) => l.msg === 'the applied generation was not serving; it serves again')).toBe(true);
});

it('answers a PUT of the applied generation as unchanged once it serves again', async () => {
  expect((await agent.api('PUT', '/v1/loadbalancer', generationDoc(1, vip, backends))).body).toMatchObject({ result: 'unchanged' });
  await expectAgree(agent, vip, 1);
});
