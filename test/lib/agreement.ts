/**
 * "What the API says is what serves", checked from the outside: the API's
 * generation (loadbalancer, config, details), the state on disk (state.json
 * and where `current` points) and the engine (the members haproxy's stats
 * socket lists, and a request through the VIP) must all name the same
 * generation. The reliability tests' documents give every generation its own
 * member ids, so the engine's members tell which generation it loaded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createStateStore } from '../../agent/state/store';
import { queryUnixSocket } from '../../agent/unix-socket';
import { get, startBackend, stopBackends, type Backend } from './agent-backends';
import { AgentProcess, freePort, makeCerts, tempDir, until } from './agent-harness';
import { httpBasicDoc, withReload, type Endpoint } from './agent-docs';
import { killProcessesUnder, writeHaproxyWrapper } from './haproxy-wrapper';

/** http-basic on `vip` with two members on `backends`, whose member ids name the generation. */
export function generationDoc(g: number, vip: Endpoint, backends: Backend[]): any {
  const d = httpBasicDoc(g, vip, [backends[g % backends.length], backends[(g + 1) % backends.length]], [1 + (g % 3), 1]);
  d.loadbalancer.pools[0].members.forEach((m: any, i: number) => (m.member_id = `gen${g}-m${i}`));
  // every generation reloads (member changes alone would go through haproxy's runtime API): these tests stop reloads midway
  return withReload(d);
}

/** The generation whose members haproxy lists on its stats socket, or null when it does not answer. */
export async function engineGeneration(agent: AgentProcess): Promise<number | null> {
  let csv: string;
  try {
    csv = await queryUnixSocket(path.join(agent.runDir, 'haproxy.sock'), 'show stat', 5000);
  } catch {
    return null;
  }
  const gens = new Set<number>();
  for (const line of csv.split('\n')) {
    const m = /^[^,]*,gen(\d+)-m\d+,/.exec(line);
    if (m) gens.add(Number(m[1]));
  }
  if (gens.size > 1) throw new Error(`haproxy serves members of generations ${[...gens].join(', ')} at once`);
  return gens.size ? [...gens][0] : null;
}

export interface Agreement {
  api: number | null;
  config: number | null;
  details: number | null;
  disk: number | null;
  current: string | null;
  diskConfigDir: string | null;
  engine: number | null;
  vip: number;
}

/** Everyone's idea of the applied generation (null: none); `vip` is the status of one GET through the VIP (0: refused). */
export async function observe(agent: AgentProcess, vip: Endpoint): Promise<Agreement> {
  const gen = async (p: string) => {
    const r = await agent.api('GET', p);
    return r.status === 200 ? (r.body.generation ?? r.body.applied_generation ?? null) : null;
  };
  const { state } = createStateStore(agent.stateDir).load();
  let current: string | null = null;
  try {
    current = path.basename(fs.readlinkSync(path.join(agent.stateDir, 'current')));
  } catch { /* none */ }
  const vipStatus = await get(vip.host, vip.port).then((r) => r.status, () => 0);
  return {
    api: await gen('/v1/loadbalancer'), config: await gen('/v1/config'), details: await gen('/v1/details'),
    disk: state?.generation ?? null, current, diskConfigDir: state?.configDir ?? null,
    engine: await engineGeneration(agent), vip: vipStatus,
  };
}

/** Throws unless API, disk and engine name generation `g` and the VIP answers 200. */
export async function expectAgree(agent: AgentProcess, vip: Endpoint, g: number): Promise<Agreement> {
  const a = await observe(agent, vip);
  const ok = a.api === g && a.config === g && a.details === g && a.disk === g && a.engine === g && a.current === a.diskConfigDir && a.vip === 200;
  if (!ok) throw new Error(`API, disk and engine disagree (expected generation ${g}): ${JSON.stringify(a)}`);
  return a;
}

/** True when they agree on some generation (the one returned), whichever it is. */
export async function agreedGeneration(agent: AgentProcess, vip: Endpoint): Promise<{ g: number | null; a: Agreement }> {
  const a = await observe(agent, vip);
  const g = a.api;
  const ok = g !== null && a.config === g && a.details === g && a.disk === g && a.engine === g && a.current === a.diskConfigDir && a.vip === 200;
  return { g: ok ? g : null, a };
}

/** What serveWrapped started. */
export interface WrappedServing {
  work: string;
  agent: AgentProcess;
  backends: Backend[];
  vip: Endpoint;
}

/**
 * The reliability tests' start: a real agent on `${net}.1` whose haproxy runs
 * behind the test wrapper (haproxy-wrapper.ts: a test can pause or slow its
 * next check or reload), backends alpha and beta on `${net}.3`, and
 * generation 1 applied, served on `${net}.2` and agreed on.
 */
export async function serveWrapped(net: string, prefix: string, extraConf?: string): Promise<WrappedServing> {
  const s: Partial<WrappedServing> = { work: tempDir(prefix) };
  try {
    const work = s.work!;
    const certs = makeCerts(`${work}/certs`, `${net}.1`);
    s.backends = [await startBackend('alpha', `${net}.3`), await startBackend('beta', `${net}.3`)];
    const vip = (s.vip = { host: `${net}.2`, port: await freePort(`${net}.2`) });
    const agent = (s.agent = new AgentProcess({ ip: `${net}.1`, certs, haproxyCmd: writeHaproxyWrapper(work), ...(extraConf ? { extraConf } : {}) }, work));
    await agent.start();
    const r = await agent.api('PUT', '/v1/loadbalancer', generationDoc(1, vip, s.backends));
    if (r.status !== 200) throw new Error(`the PUT of generation 1 answered ${r.status}: ${JSON.stringify(r.body)}`);
    await until('generation 1 to serve', () => expectAgree(agent, vip, 1).then(() => true));
    return s as WrappedServing;
  } catch (e) {
    await stopWrapped(s);
    throw e;
  }
}

/** Stops and removes what serveWrapped started, with any haproxy the wrapper still held back when the agent gave up on it (it is in no pid file). */
export async function stopWrapped(s: Partial<WrappedServing>): Promise<void> {
  await s.agent?.cleanup();
  if (s.work) killProcessesUnder(s.work);
  await stopBackends(s.backends ?? []);
  if (s.work) fs.rmSync(s.work, { recursive: true, force: true });
}
