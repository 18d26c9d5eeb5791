/**
 * The daemon starts its validation worker when it is ready, so a new VM's
 * first document (it follows at once: a new load balancer, a failover) does
 * not wait for the worker to start; that worker answers the first PUT.
 * Loopback block 127.41.1.0/24.
 */
import * as fs from 'node:fs';
import { AgentProcess, makeCerts, tempDir, until, freePort } from '../lib/agent-harness';
import { startBackend, stopBackends, get, type Backend } from '../lib/agent-backends';
import { httpBasicDoc } from '../lib/agent-docs';
import { workersOf } from '../lib/worker-procs';

jest.setTimeout(60000);

const NET = '127.41.1';

test('a fresh agent starts its worker when ready, and that worker answers the first PUT', async () => {
  const work = tempDir('agent-warm-');
  let agent: AgentProcess | null = null;
  let backends: Backend[] = [];
  try {
    backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
    const vipPort = await freePort(`${NET}.2`);
    agent = new AgentProcess({ ip: `${NET}.1`, certs: makeCerts(`${work}/certs`, `${NET}.1`) }, work);
    await agent.start();
    const pid = agent.proc!.pid!;
    // nothing applied and nothing asked: the worker is there all the same
    expect((await agent.api('GET', '/v1/loadbalancer')).status).toBe(404);
    await until('the validation worker to start', () => workersOf(pid).length === 1, 10000);
    const warmed = workersOf(pid);
    const r = await agent.api('PUT', '/v1/loadbalancer', httpBasicDoc(1, { host: `${NET}.2`, port: vipPort }, backends));
    expect(r.status).toBe(200);
    expect(workersOf(pid)).toEqual(warmed);
    expect(['alpha', 'beta']).toContain((await get(`${NET}.2`, vipPort)).body.trim());
  } finally {
    await agent?.cleanup();
    await stopBackends(backends);
    fs.rmSync(work, { recursive: true, force: true });
  }
});
