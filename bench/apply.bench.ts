/**
 * Apply cost: median time from PUT /v1/loadbalancer to the new config serving
 * (the agent answers 200 only after the new worker runs and every listener is
 * OPEN), for the contract's examples and a 100-listener document, next to the
 * floor: `haproxy -c` plus a bare master-CLI reload of the same files. Then
 * the agent's resident memory, idle after start and idle after the applies.
 * Run after the build: node dist/bench/apply.bench.js [--json]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHaproxyEngine } from '../agent/engines/haproxy';
import { systemRunner } from '../agent/process-runner';
import { queryUnixSocket } from '../agent/unix-socket';
import { AgentProcess, freePort, makeCerts, tempDir } from '../test/lib/agent-harness';
import { toLoopback } from '../test/lib/agent-docs';
import { EXAMPLES_DIR } from '../test/lib/examples';
import { genLarge } from '../test/lib/gen-large';
import { binaryVersion, printHeader, printResult, runScenario } from './lib/runbench';

const NET = '127.20.9';
const HAPROXY = '/usr/sbin/haproxy';

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** The gen-large document moved into this bench's loopback block. */
function largeDoc(listeners: number): any {
  const d: any = genLarge(listeners, 10, 5);
  d.loadbalancer.vip_address = `${NET}.2`;
  for (const p of d.loadbalancer.pools) for (const m of p.members) m.address = `${NET}.${3 + (Number(m.address.split('.')[3]) % 200)}`;
  return d;
}

async function main() {
  printHeader('apply (PUT -> serving)', { haproxy: binaryVersion(HAPROXY, ['-v']) });
  const work = tempDir('apply-bench-');
  const agent = new AgentProcess({ ip: `${NET}.1`, certs: makeCerts(path.join(work, 'certs'), `${NET}.1`) }, work);
  try {
    await agent.start();
    await new Promise((r) => setTimeout(r, 1000)); // let start-up garbage settle before reading RSS
    const idleStart = rssKb(agent.proc!.pid!);
    const engine = createHaproxyEngine({ cmd: HAPROXY, runDir: agent.runDir, runner: systemRunner(), query: queryUnixSocket });
    const current = path.join(agent.stateDir, 'current');
    let generation = 0;

    const examples = EXAMPLES_DIR;
    const docs: [string, () => Promise<any>][] = [];
    for (const name of fs.readdirSync(examples).filter((f) => f.endsWith('.json')).sort()) {
      docs.push([name.replace(/\.json$/, ''), async () => {
        const d = JSON.parse(fs.readFileSync(path.join(examples, name), 'utf8'));
        const ports = await Promise.all(d.loadbalancer.listeners.map(() => freePort(`${NET}.2`)));
        return toLoopback(d, 1, `${NET}.2`, ports as number[], [{ host: `${NET}.3`, port: 9001 }, { host: `${NET}.4`, port: 9002 }]);
      }]);
    }
    docs.push(['large-100-listeners', async () => largeDoc(100)]);

    for (const [name, make] of docs) {
      const base = await make();
      const runs = name.startsWith('large') ? 5 : 10;
      const put = await runScenario({
        name: `${name}: PUT -> serving (full apply)`, runs,
        fn: async () => {
          const d = structuredClone(base);
          d.generation = ++generation;
          // a listener timeout that differs from the previous run: a real reload every time
          d.loadbalancer.listeners[0].timeout_client_data = 50000 + (generation % 2);
          const r = await agent.api('PUT', '/v1/loadbalancer', d);
          if (r.status !== 200 || !r.body.reloaded) throw new Error(`PUT answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
        },
      });
      // member-only: a weight (or, where weights are static, the admin state) of the first member of the first pool
      const dynamic = ['ROUND_ROBIN', 'LEAST_CONNECTIONS'].includes(base.loadbalancer.pools[0].lb_algorithm);
      // from the base document itself (the full applies left another timeout behind)
      await agent.api('PUT', '/v1/loadbalancer', { ...structuredClone(base), generation: ++generation });
      const members = await runScenario({
        name: `${name}: PUT -> serving (member-only)`, runs,
        fn: async () => {
          const d = structuredClone(base);
          d.generation = ++generation;
          if (dynamic) d.loadbalancer.pools[0].members[0].weight = 1 + (generation % 2);
          else d.loadbalancer.pools[0].members[0].admin_state_up = generation % 2 === 0;
          const r = await agent.api('PUT', '/v1/loadbalancer', d);
          if (r.status !== 200) throw new Error(`PUT answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
          if (r.body.reloaded) throw new Error(`a member-only change reloaded: ${JSON.stringify((await agent.api('GET', '/v1/details')).body.last_apply)}`);
        },
      });
      const floor = await runScenario({
        name: `${name}: haproxy -c + bare reload`, runs,
        fn: async () => {
          const c = await engine.check(current, 'haproxy.cfg');
          if (!c.ok) throw new Error(c.output);
          await engine.reload();
        },
      });
      printResult({ ...put, name: `${name}: ratio to the floor`, extra: { full: (put.medianMs / floor.medianMs).toFixed(2), member_only: (members.medianMs / floor.medianMs).toFixed(2) } });
    }
    const afterApplies = rssKb(agent.proc!.pid!);
    // idle: the validation worker exits 10 s after its last call, then the daemon collects
    await new Promise((r) => setTimeout(r, 13000));
    printResult({
      name: 'agent RSS', runs: 1, medianMs: 0, p95Ms: 0, opsPerSec: 0,
      extra: {
        idle_after_start_MiB: (idleStart / 1024).toFixed(1),
        right_after_applies_MiB: (afterApplies / 1024).toFixed(1),
        idle_after_applies_MiB: (rssKb(agent.proc!.pid!) / 1024).toFixed(1),
      },
    });
  } finally {
    await agent.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
