/**
 * Hitless reloads as a suite both engines run: clients send requests
 * continuously (connections closed after each request, and kept alive) while
 * 50 applies change members and weights. No request may fail, and no client
 * retries.
 */
import * as http from 'node:http';
import * as fs from 'node:fs';
import { AgentProcess, freePort, makeCerts, tempDir, until, type Certs } from './agent-harness';
import { startBackend, stopBackends, type Backend } from './agent-backends';
import { httpBasicDoc, withReload } from './agent-docs';
import type { EngineName } from './agent-conformance';

/** Defines the hitless test for `engine` on `${NET}.1` (API), `.2` (VIP), `.3` (members). */
export function describeHitless(engine: EngineName, NET: string): void {
  const APPLIES = 50;
  let work: string;
  let certs: Certs;
  let agent: AgentProcess;
  let backends: Backend[];
  let vipPort: number;

  beforeAll(async () => {
    work = tempDir(`agent-hitless-${engine}-`);
    certs = makeCerts(`${work}/certs`, `${NET}.1`);
    backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`), await startBackend('gamma', `${NET}.3`)];
    vipPort = await freePort(`${NET}.2`);
    agent = new AgentProcess({ ip: `${NET}.1`, certs, engine }, work);
    await agent.start();
  });

  afterAll(async () => {
    await agent?.cleanup();
    await stopBackends(backends ?? []);
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Generation g: two of the three backends as members, weights changing with g, and a listener change so every apply reloads. */
  const doc = (g: number) => withReload(httpBasicDoc(g, { host: `${NET}.2`, port: vipPort }, [backends[g % 3], backends[(g + 1) % 3]], [1 + (g % 4), 1 + ((g + 2) % 5)]));

  interface Tally {
    ok: number;
    failed: string[];
  }

  /** One GET; any error or non-200 answer is a failure (no retry). */
  function once(agentOpt: http.Agent | false, tally: Tally): Promise<void> {
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
        tally.failed.push(`${e.code ?? ''} ${e.message}${req.reusedSocket ? ' (reused connection)' : ''}`);
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
    const closeTally: Tally = { ok: 0, failed: [] };
    const keepTally: Tally = { ok: 0, failed: [] };
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 3 });
    const traffic = Promise.all([load(3, false, closeTally, () => done), load(3, keepAlive, keepTally, () => done)]);

    const workers = new Set<number>();
    // no deadline on the applies (the test's own timeout bounds them): on a loaded machine they take longer, and
    // what is tested is that no request fails
    try {
      for (let g = 2; g < 2 + APPLIES; g++) {
        const r = await agent.api('PUT', '/v1/loadbalancer', doc(g));
        expect(r.body).toMatchObject({ result: 'applied', generation: g, reloaded: true });
        workers.add((await agent.api('GET', '/v1/details')).body.engine_process.worker_pid);
      }
    } finally {
      // a failed apply must not leave the client loops running after the test
      done = true;
      await traffic;
      keepAlive.destroy();
      // also when an apply failed or was late: the counts say what the clients saw until then
      // eslint-disable-next-line no-console
      console.log(`hitless (${engine}): ${workers.size} of ${APPLIES} applies; close: ${closeTally.ok} ok, ${closeTally.failed.length} failed; keep-alive: ${keepTally.ok} ok, ${keepTally.failed.length} failed`);
    }

    expect(workers.size).toBe(APPLIES);
    expect(closeTally.failed).toEqual([]);
    expect(keepTally.failed).toEqual([]);
    expect(closeTally.ok).toBeGreaterThan(APPLIES);
    expect(keepTally.ok).toBeGreaterThan(APPLIES);
  }, 240000);
}
