/**
 * Hitless reloads: clients send requests continuously (connections closed
 * after each request, and kept alive) while 50 applies change members and
 * weights. No request may fail.
 *
 * One allowance, from HTTP itself (RFC 9112 section 9.3.1): a request sent on
 * a reused keep-alive connection that the server closed while idle may be
 * retried once when no byte of a response came back. haproxy 2.6 closes idle
 * keep-alive connections of the old worker at soft-stop, so a client can
 * race it; node flags that case as `req.reusedSocket`. Such retries go on a
 * new connection, are counted and printed; every other error, and any
 * non-200 answer, fails.
 */
import * as http from 'node:http';
import * as fs from 'node:fs';
import { AgentProcess, freePort, makeCerts, tempDir, until, type Certs } from '../lib/agent-harness';
import { startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { httpBasicDoc } from '../lib/agent-docs';

jest.setTimeout(90000);

const NET = '127.20.3';
const APPLIES = 50;
let work: string;
let certs: Certs;
let agent: AgentProcess;
let backends: Backend[];
let vipPort: number;

beforeAll(async () => {
  work = tempDir('agent-hitless-');
  certs = makeCerts(`${work}/certs`, `${NET}.1`);
  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`), await startBackend('gamma', `${NET}.3`)];
  vipPort = await freePort(`${NET}.2`);
  agent = new AgentProcess({ ip: `${NET}.1`, certs }, work);
  await agent.start();
});

afterAll(async () => {
  await agent?.cleanup();
  await stopBackends(backends ?? []);
  fs.rmSync(work, { recursive: true, force: true });
});

/** Generation g: two of the three backends as members, weights changing with g. */
const doc = (g: number) => httpBasicDoc(g, { host: `${NET}.2`, port: vipPort }, [backends[g % 3], backends[(g + 1) % 3]], [1 + (g % 4), 1 + ((g + 2) % 5)]);

interface Tally {
  ok: number;
  failed: string[];
  retried: number;
}

/** One GET with the RFC's single retry of an idempotent request on a reused, closed connection. */
function once(agentOpt: http.Agent | false, tally: Tally, retry = true): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get({ host: `${NET}.2`, port: vipPort, path: '/', agent: agentOpt, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) tally.ok++;
        else tally.failed.push(`status ${res.statusCode}`);
        resolve();
      });
      res.on('error', (e) => {
        tally.failed.push(`response: ${e.message}`);
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (retry && req.reusedSocket && (e.code === 'ECONNRESET' || e.message === 'socket hang up')) {
        tally.retried++;
        // the retry goes on a new connection: the pool may hold more of the old worker's closed ones
        void once(false, tally, false).then(resolve);
        return;
      }
      tally.failed.push(`${e.code ?? ''} ${e.message}${req.reusedSocket ? ' (reused connection)' : ''}${retry ? '' : ' (retry)'}`);
      resolve();
    });
  });
}

/** Runs `n` client loops until `stop()` says so. */
function load(n: number, agentOpt: http.Agent | false, tally: Tally, stop: () => boolean): Promise<void> {
  const loop = async () => {
    while (!stop()) await once(agentOpt, tally);
  };
  return Promise.all(Array.from({ length: n }, loop)).then(() => undefined);
}

it(`serves every request while ${APPLIES} applies change members and weights`, async () => {
  expect((await agent.api('PUT', '/v1/loadbalancer', doc(1))).status).toBe(200);
  await until('the VIP to serve', () => new Promise<boolean>((r) => http.get({ host: `${NET}.2`, port: vipPort, agent: false }, (res) => { res.resume(); r(res.statusCode === 200); }).on('error', () => r(false))));

  let done = false;
  const closeTally: Tally = { ok: 0, failed: [], retried: 0 };
  const keepTally: Tally = { ok: 0, failed: [], retried: 0 };
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 3 });
  const traffic = Promise.all([load(3, false, closeTally, () => done), load(3, keepAlive, keepTally, () => done)]);

  const workers = new Set<number>();
  const deadline = Date.now() + 60000;
  for (let g = 2; g < 2 + APPLIES; g++) {
    const r = await agent.api('PUT', '/v1/loadbalancer', doc(g));
    expect(r.body).toMatchObject({ result: 'applied', generation: g, reloaded: true });
    workers.add((await agent.api('GET', '/v1/details')).body.engine_process.worker_pid);
    expect(Date.now()).toBeLessThan(deadline);
  }
  done = true;
  await traffic;
  keepAlive.destroy();

  // eslint-disable-next-line no-console
  console.log(`hitless: ${APPLIES} applies, ${workers.size} workers; close: ${closeTally.ok} ok; keep-alive: ${keepTally.ok} ok, ${keepTally.retried} retried on a reused connection closed by the old worker`);
  expect(workers.size).toBe(APPLIES);
  expect(closeTally.failed).toEqual([]);
  expect(keepTally.failed).toEqual([]);
  expect(closeTally.retried).toBe(0);
  expect(closeTally.ok).toBeGreaterThan(APPLIES);
  expect(keepTally.ok).toBeGreaterThan(APPLIES);
});
