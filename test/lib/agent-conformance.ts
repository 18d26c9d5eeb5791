/**
 * Agent-level conformance suites both engines run with the same documents and
 * the same expectations: every contract example applied through the real
 * agent (or refused by the engine's capabilities with the named fields, then
 * applied without them), and traffic through the VIP. Each test file picks
 * the engine and its own loopback block.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkCapabilities } from '../../renderers';
import type { EngineCapabilities } from '../../renderers/types';
import { validateDocument } from '../../schemas';
import { AgentProcess, freePort, makeCerts, tempDir, until, type Certs } from './agent-harness';
import { get, startBackend, stopBackends, type Backend } from './agent-backends';
import { toLoopback } from './agent-docs';
import { exampleNames, loadExample } from './examples';

export type EngineName = 'haproxy' | 'nginx';

/** Listeners the engine serves itself (haproxy leaves UDP and SCTP to keepalived's LVS). */
export function servedBy(engine: EngineName, protocol: string): boolean {
  return engine === 'nginx' ? ['HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'TCP', 'UDP'].includes(protocol) : !['UDP', 'SCTP'].includes(protocol);
}

/** Removes from a raw document what `refused` names: listeners by protocol, pool fields set to null. */
function withoutRefused(d: any, refused: { path: string }[]): any {
  const listeners = new Set<number>();
  for (const { path: p } of refused) {
    const m = /^loadbalancer\.(listeners|pools)\[(\d+)\]\.(.+)$/.exec(p);
    if (!m) throw new Error(`cannot remove ${p}`);
    if (m[1] === 'listeners' && m[3] === 'protocol') listeners.add(Number(m[2]));
    else if (m[1] === 'pools' && m[3] === 'ca_tls_container_data') Object.assign(d.loadbalancer.pools[Number(m[2])], { ca_tls_container_data: null, crl_container_data: null });
    else throw new Error(`cannot remove ${p}`);
  }
  d.loadbalancer.listeners = d.loadbalancer.listeners.filter((_: unknown, i: number) => !listeners.has(i));
  return d;
}

/** What a suite shares with the tests its file adds (valid once beforeAll ran). */
export interface SuiteHandle {
  agent(): AgentProcess;
  backends(): Backend[];
  /** the next unused generation */
  nextGeneration(): number;
}

/** Every contract example through the real agent on `engine`, on `${net}.1` (API), `.2` (VIP), `.3` (members). */
export function describeExamples(engine: EngineName, net: string): SuiteHandle {
  let work: string;
  let certs: Certs;
  let agent: AgentProcess;
  let backends: Backend[];
  let caps: EngineCapabilities;
  let generation = 0;

  beforeAll(async () => {
    work = tempDir(`agent-examples-${engine}-`);
    certs = makeCerts(`${work}/certs`, `${net}.1`);
    backends = [await startBackend('alpha', `${net}.3`), await startBackend('beta', `${net}.3`)];
    agent = new AgentProcess({ ip: `${net}.1`, certs, engine }, work);
    await agent.start();
    caps = (await agent.api('GET', '/v1/info')).body.capabilities;
  });

  afterAll(async () => {
    await agent?.cleanup();
    await stopBackends(backends ?? []);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it.each(exampleNames())(`${engine} applies %s (what it refuses: 400 naming the fields) and serves its listeners`, async (name) => {
    const raw = loadExample(name);
    const ports = await Promise.all(raw.loadbalancer.listeners.map(() => freePort(`${net}.2`)));
    let d = toLoopback(raw, ++generation, `${net}.2`, ports, backends);
    const v = validateDocument(d);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    const refused = checkCapabilities(v.doc, caps);
    if (refused.length) {
      const r = await agent.api('PUT', '/v1/loadbalancer', d);
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual(refused);
      for (const e of r.body.errors) expect(e.message).toContain(`is not served by ${engine} `);
      d = withoutRefused(d, refused);
      d.generation = ++generation;
    }
    const r = await agent.api('PUT', '/v1/loadbalancer', d);
    expect(r.body).toMatchObject({ result: 'applied', generation, reloaded: true });
    const det = (await agent.api('GET', '/v1/details')).body;
    for (const l of d.loadbalancer.listeners) {
      if (l.admin_state_up !== false && servedBy(engine, l.protocol)) expect(det.listeners[l.listener_id]).toMatchObject({ status: 'OPEN' });
    }
    const cfg = (await agent.api('GET', '/v1/config')).body;
    expect(cfg.files[cfg.main]).toBe(fs.readFileSync(path.join(agent.stateDir, 'current', cfg.main), 'utf8'));
    // HTTP listeners with a default pool answer from a member through the VIP
    for (const l of d.loadbalancer.listeners.filter((x: any) => x.protocol === 'HTTP' && x.default_pool_id && !x.l7policies?.length)) {
      await until(`${name} to serve on ${l.protocol_port}`, async () => (await get(`${net}.2`, l.protocol_port)).status === 200);
    }
  });

  return { agent: () => agent, backends: () => backends, nextGeneration: () => ++generation };
}
