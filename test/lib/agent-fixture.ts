/**
 * The usual integration fixture in one call: a temp work dir, openssl-made
 * certificates for the API on `NET.1`, loopback backends on `NET.3`, the real
 * agent started before the file's tests and everything stopped and removed
 * after them (jest hooks registered by the call).
 */
import * as fs from 'node:fs';
import { AgentProcess, makeCerts, tempDir, type AgentOptions, type Certs } from './agent-harness';
import { startBackend, stopBackends, type Backend } from './agent-backends';

export interface AgentFixture {
  readonly work: string;
  readonly certs: Certs;
  readonly agent: AgentProcess;
  readonly backends: Backend[];
}

/** Registers beforeAll/afterAll for an agent on `${net}.1` with `backends` named backends on `${net}.3`. */
export function useAgent(net: string, o: { prefix: string; backends?: string[]; agent?: Omit<AgentOptions, 'ip' | 'certs'> }): AgentFixture {
  const f = {} as { work: string; certs: Certs; agent: AgentProcess; backends: Backend[] };
  beforeAll(async () => {
    f.work = tempDir(o.prefix);
    f.certs = makeCerts(`${f.work}/certs`, `${net}.1`);
    f.backends = [];
    for (const name of o.backends ?? []) f.backends.push(await startBackend(name, `${net}.3`));
    f.agent = new AgentProcess({ ip: `${net}.1`, certs: f.certs, ...o.agent }, f.work);
    await f.agent.start();
  });
  afterAll(async () => {
    await f.agent?.cleanup();
    await stopBackends(f.backends ?? []);
    if (f.work) fs.rmSync(f.work, { recursive: true, force: true });
  });
  return f;
}
