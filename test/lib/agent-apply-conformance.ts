/**
 * The apply transaction against the real agent and engine, as a suite both
 * engines run: a config the engine's own check refuses (422, its words,
 * nothing changed), a reload that cannot bind (503, the previous config
 * restored and serving), the agent stopping while the engine keeps serving,
 * and a restart that adopts or restarts the engine from the stored state (a
 * torn state file too).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { AgentProcess, alive, freePort, makeCerts, tempDir, until, type Certs } from './agent-harness';
import { get, startBackend, stopBackends, type Backend } from './agent-backends';
import { httpBasicDoc, type Endpoint } from './agent-docs';
import type { EngineName } from './agent-conformance';

/** What makes the engine's own check refuse a valid document, and what it then says. */
export interface EngineRefusal {
  /** a valid document (generation given) the validator and the capability check pass and the engine's check refuses */
  doc(generation: number, vip: string, ports: () => Promise<number[]>, members: Endpoint[]): Promise<any>;
  /** the engine's words */
  output: RegExp;
}

/** Defines the apply-transaction tests for `engine` on `${NET}.1` (API), `.2` (VIP), `.3` (members). */
export function describeApplyTransaction(engine: EngineName, NET: string, refusal: EngineRefusal): void {
  let work: string;
  let certs: Certs;
  let agent: AgentProcess;
  let backends: Backend[];
  let vipPort: number;
  const blockers: net.Server[] = [];

  beforeAll(async () => {
    work = tempDir(`agent-apply-${engine}-`);
    certs = makeCerts(`${work}/certs`, `${NET}.1`);
    backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
    vipPort = await freePort(`${NET}.2`);
    agent = new AgentProcess({ ip: `${NET}.1`, certs, engine }, work);
    await agent.start();
  });

  afterAll(async () => {
    await agent?.cleanup();
    await stopBackends(backends ?? []);
    for (const b of blockers) b.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const doc = (generation: number, weights = [1, 1]) => httpBasicDoc(generation, { host: `${NET}.2`, port: vipPort }, backends, weights);
  const serves = async () => (await get(`${NET}.2`, vipPort)).status === 200;
  const workerPid = async () => (await agent.api('GET', '/v1/details')).body.engine_process.worker_pid as number;

  it('applies a first document and serves it', async () => {
    expect((await agent.api('PUT', '/v1/loadbalancer', doc(1))).status).toBe(200);
    await until('the VIP to serve', serves);
  });

  it(`422 when ${engine} refuses the rendered config: its words, the candidate kept, nothing changed`, async () => {
    const before = await workerPid();
    const d = await refusal.doc(2, `${NET}.2`, async () => [await freePort(`${NET}.2`), await freePort(`${NET}.2`)], backends);
    const r = await agent.api('PUT', '/v1/loadbalancer', d);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'ENGINE_REFUSED', engine_output: expect.stringMatching(refusal.output) });
    expect(fs.existsSync(path.join(r.body.candidate_dir, engine === 'nginx' ? 'nginx.conf' : 'haproxy.cfg'))).toBe(true);
    expect(await workerPid()).toBe(before);
    expect((await agent.api('GET', '/v1/loadbalancer')).body.generation).toBe(1);
    expect((await agent.api('GET', '/v1/details')).body.last_refused).toMatchObject({ generation: 2, code: 'ENGINE_REFUSED' });
    expect(await serves()).toBe(true);
  });

  it('503 when the new worker cannot bind: the previous config is restored and still serving', async () => {
    const taken = await freePort(`${NET}.2`);
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(taken, `${NET}.2`, () => r()));
    blockers.push(blocker);
    const d = doc(3);
    d.loadbalancer.listeners[0].protocol_port = taken;
    const r = await agent.api('PUT', '/v1/loadbalancer', d);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ code: 'APPLY_FAILED', rolled_back: true, message: expect.stringContaining('generation 1 is serving again') });
    expect(r.body.message).toContain(`cannot bind ${NET}.2:${taken} (in use by another process)`);
    expect((await agent.api('GET', '/v1/loadbalancer')).body.generation).toBe(1);
    const cfg = await agent.api('GET', '/v1/config');
    expect(cfg.body.files[cfg.body.main]).toContain(`${NET}.2:${vipPort}`);
    expect(await serves()).toBe(true);
    // once the port is free the same document applies
    await new Promise<void>((r2) => blocker.close(() => r2()));
    expect((await agent.api('PUT', '/v1/loadbalancer', d)).status).toBe(200);
    await until('the new port to serve', async () => (await get(`${NET}.2`, taken)).status === 200);
    expect((await agent.api('PUT', '/v1/loadbalancer', doc(4))).status).toBe(200);
  });

  it(`stopping the agent leaves ${engine} serving; a restart adopts it without a reload`, async () => {
    const master = agent.masterPid()!;
    const worker = await workerPid();
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(agent.lines.some((l) => l.msg === 'stopped; the proxy keeps serving')).toBe(true);
    expect(alive(master)).toBe(true);
    for (let i = 0; i < 5; i++) expect(await serves()).toBe(true);
    await agent.start();
    expect(agent.masterPid()).toBe(master);
    expect(await workerPid()).toBe(worker);
    expect((await agent.api('GET', '/v1/loadbalancer')).body.generation).toBe(4);
  });

  it(`a restart with ${engine} gone starts it and serves the restored config before answering`, async () => {
    await agent.stop();
    const master = agent.masterPid()!;
    process.kill(master, 'SIGTERM');
    await until(`${engine} to exit`, () => !alive(master));
    await expect(get(`${NET}.2`, vipPort)).rejects.toThrow();
    await agent.start();
    // ready means restored: the VIP serves as soon as the API answers
    expect(await serves()).toBe(true);
    expect(agent.masterPid()).not.toBe(master);
    expect((await agent.api('GET', '/v1/details')).body.applied_generation).toBe(4);
  });

  it('a torn state.json is reported and the previous good one is restored', async () => {
    await agent.stop();
    fs.writeFileSync(path.join(agent.stateDir, 'state.json'), '{"format":1,"generation":4,"hash":');
    await agent.start();
    expect(agent.lines.some((l) => l.level === 'error' && /unreadable/.test(l.msg))).toBe(true);
    // the restore before re-committed generation 4, so state.prev.json holds it too
    expect((await agent.api('GET', '/v1/details')).body.applied_generation).toBe(4);
    expect(await serves()).toBe(true);
  });
}
