/**
 * The first PUT after a pause: the validation worker exits when it has had no
 * call for WORKER_IDLE_MS (the daemon's idle memory holds no zod and no
 * templates), so a PUT after a longer pause starts it again before it can
 * validate. Median PUT -> serving of full applies (a listener change, as in
 * bench/apply) sent after a pause longer than that, next to the same applies
 * sent back to back, for an example and the 100-listener document. Then a
 * new VM's first document: the first PUT on a fresh agent (nothing applied,
 * no code cache; the daemon starts its worker when ready), 1 s after it is ready.
 * Run after the build: node dist/bench/cold-apply.bench.js [--json] [--engine haproxy|nginx] [--runs N]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKER_IDLE_MS } from '../agent/apply/worker-preparer';
import { AgentProcess, freePort, makeCerts, tempDir } from '../test/lib/agent-harness';
import { toLoopback } from '../test/lib/agent-docs';
import { EXAMPLES_DIR } from '../test/lib/examples';
import { closeServers, largeDoc, memberServers } from './lib/fixtures';
import { printHeader, runScenario } from './lib/runbench';

const arg = (name: string): string | null => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : null);
const ENGINE = (arg('--engine') ?? 'haproxy') as 'haproxy' | 'nginx';
const RUNS = Number(arg('--runs') ?? 3);
const NET = process.env.BENCH_COLD_NET ?? '127.20.19';

async function main(): Promise<void> {
  printHeader(`apply after a pause (${ENGINE}; the worker exits ${WORKER_IDLE_MS / 1000} s after its last call)`);
  const work = tempDir('cold-apply-bench-');
  const agent = new AgentProcess({ ip: `${NET}.1`, certs: makeCerts(path.join(work, 'certs'), `${NET}.1`), engine: ENGINE }, work);
  const members = await memberServers(NET);
  try {
    await agent.start();
    const example = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, 'http-basic.json'), 'utf8'));
    const ports = await Promise.all(example.loadbalancer.listeners.map(() => freePort(`${NET}.2`)));
    const large = largeDoc(100, NET);
    const docs: [string, any][] = [
      ['http-basic', toLoopback(example, 1, `${NET}.2`, ports as number[], [{ host: `${NET}.3`, port: 9001 }, { host: `${NET}.4`, port: 9002 }])],
      ['large-100-listeners', large],
    ];
    // a listener setting that differs every time: each PUT is a full apply (a reload)
    const key = ENGINE === 'nginx' ? 'timeout_member_connect' : 'timeout_client_data';
    const base = ENGINE === 'nginx' ? 5000 : 50000;
    let generation = 0;
    const body = (d: any) => {
      const x = structuredClone(d);
      x.generation = ++generation;
      x.loadbalancer.listeners[0][key] = base + (generation % 2);
      return Buffer.from(JSON.stringify(x));
    };
    const put = async (b: Buffer) => {
      const r = await agent.api('PUT', '/v1/loadbalancer', undefined, { raw: b, keepAlive: true });
      if (r.status !== 200 || !r.body.reloaded) throw new Error(`PUT answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    };
    for (const [name, d] of docs) {
      await runScenario({ name: `${ENGINE} ${name}: PUT -> serving, back to back`, runs: 10, setup: () => body(d), fn: put });
      await runScenario({
        name: `${ENGINE} ${name}: PUT -> serving, after ${(WORKER_IDLE_MS + 1000) / 1000} s`, runs: RUNS,
        // the pause is not timed: the worker is gone when the PUT is sent
        setup: async () => (await new Promise((r) => setTimeout(r, WORKER_IDLE_MS + 1000)), body(d)),
        fn: put,
      });
    }
    // a new VM's first document: each run a fresh agent on its own address, the PUT 1 s after it is ready
    const freshVip = `${NET}.6`;
    const freshPorts = await Promise.all(example.loadbalancer.listeners.map(() => freePort(freshVip)));
    const freshDoc = toLoopback(example, 1, freshVip, freshPorts as number[], [{ host: `${NET}.3`, port: 9001 }, { host: `${NET}.4`, port: 9002 }]);
    const freshCerts = makeCerts(path.join(work, 'fresh-certs'), `${NET}.5`);
    let fresh: AgentProcess | null = null;
    let n = 0;
    try {
      await runScenario({
        name: `${ENGINE} http-basic: first PUT on a fresh agent, 1 s after ready`, runs: RUNS,
        setup: async () => {
          await fresh?.cleanup();
          const dir = path.join(work, `fresh-${++n}`);
          fs.mkdirSync(dir);
          fresh = new AgentProcess({ ip: `${NET}.5`, certs: freshCerts, engine: ENGINE }, dir);
          await fresh.start();
          await new Promise((r) => setTimeout(r, 1000));
          return Buffer.from(JSON.stringify(freshDoc));
        },
        fn: async (b: Buffer) => {
          const r = await fresh!.api('PUT', '/v1/loadbalancer', undefined, { raw: b });
          if (r.status !== 200) throw new Error(`PUT answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
        },
      });
    } finally {
      await (fresh as AgentProcess | null)?.cleanup();
    }
  } finally {
    await agent.cleanup();
    closeServers(members);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
