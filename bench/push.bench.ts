/**
 * `amphora-ctl push` cost at fleet scale: one document pushed to N agents
 * (50 by default) on loopback, each a real bin/amphora-agent with its own
 * haproxy, at concurrency limits 1..N. Every run pushes a new generation, so
 * each agent validates, renders, runs `haproxy -c`, reloads and verifies: the
 * figure is the wall time until every agent serves the document (p95 column:
 * the slowest of the runs). Cold (each agent's validation worker started
 * anew, as between real pushes) by limit; warm (back to back); and the floor,
 * a no-op push (same generation, `unchanged`).
 * Agents are kept light: one heartbeat a minute to an unused port.
 * Run after the build: node dist/bench/push.bench.js [--agents N] [--json]
 * Loopback block 127.70.10.0/24 (agents) and 127.70.11.0/24 (VIP, members).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentClient, type TlsIdentity } from '../controller/agent-client';
import { mapLimit } from '../controller/pool';
import { pushDocument } from '../controller/push';
import { AgentProcess, freePort, tempDir } from '../test/lib/agent-harness';
import { rawDoc, rawListener, rawMember, rawPool } from '../test/lib/render-fixtures';
import { ctlOk, labPki } from '../test/lib/ctl-harness';
import { binaryVersion, printHeader, printResult } from './lib/runbench';

const count = Number(process.argv[process.argv.indexOf('--agents') + 1]) || 50;
const AGENTS_NET = '127.70.10';
const LB_NET = '127.70.11';

async function main() {
  printHeader(`push to ${count} agents`, { haproxy: binaryVersion('/usr/sbin/haproxy', ['-v']) });
  const work = tempDir('push-bench-');
  const agents: AgentProcess[] = [];
  try {
    const pki = await labPki(path.join(work, 'pki'));
    const ips = Array.from({ length: count }, (_, i) => `${AGENTS_NET}.${i + 1}`);
    // one certificate naming every agent address keeps the set-up short; each agent keeps its own amphora id
    await ctlOk(['certs', 'agent', '--dir', pki.dir, '--days', '2', '--amphora-id', 'bench-agents', ...ips.flatMap((ip) => ['--address', ip])]);
    const certs = { dir: pki.dir, ca: pki.ca, agent: path.join(pki.dir, 'agent-bench-agents.pem'), controllerCert: pki.controllerCert, controllerKey: pki.controllerKey, rogueCert: '', rogueKey: '' };
    const t0 = Date.now();
    await mapLimit(ips, 4, async (ip, i) => {
      const a = new AgentProcess({ ip, certs, amphoraId: `bench-${i + 1}`, heartbeat: { controllers: `${ip}:9`, intervalSec: 60 } }, fs.mkdtempSync(path.join(work, `a${i + 1}-`)));
      agents.push(a);
      await a.start();
    });
    console.log(`# ${count} agents started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const id: TlsIdentity = { ca: fs.readFileSync(pki.ca), cert: fs.readFileSync(pki.controllerCert), key: fs.readFileSync(pki.controllerKey) };
    const clients = agents.map((a) => AgentClient.fromUrl(`https://${a.o.ip}:${a.port}`, id, 120_000));
    // every agent serves the same document: the same VIP:port (haproxy binds it with SO_REUSEPORT) and members
    const vip = { host: `${LB_NET}.2`, port: await freePort(`${LB_NET}.2`) };
    const members = [{ host: `${LB_NET}.3`, port: 8081 }, { host: `${LB_NET}.3`, port: 8082 }];
    let generation = 0;
    // the shape of the contract's http-basic example: one HTTP listener, a pool of two members with an HTTP monitor
    const doc = (generation: number) => ({
      ...rawDoc([rawListener('listener-1', vip.port, 'pool-1')], [rawPool('pool-1', members.map((m, i) => rawMember(`member-${i + 1}`, m.host, m.port)), {
        healthmonitor: { healthmonitor_id: 'hm-1', type: 'HTTP', delay: 5, timeout: 2, max_retries: 3, url_path: '/' },
      })], { vip_address: vip.host }),
      generation,
    });
    const push = async (limit: number, gen: number) => {
      const out = await pushDocument(doc(gen), clients, { limit });
      const bad = out.filter((o) => !o.serving);
      if (bad.length) throw new Error(`${bad.length} agent(s) not serving generation ${gen}: ${bad[0].agent} ${bad[0].message}`);
      return out;
    };
    const limits = [...new Set([1, 2, 4, 8, 16, 32, count].filter((l) => l <= count))];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    /** `runs` timed pushes at `limit`, each after `idleMs` of quiet; one line with wall median/p95 and per-agent answer times. */
    const measure = async (name: string, limit: number, runs: number, idleMs: number, nextGeneration: () => number) => {
      const walls: number[] = [];
      const perAgent: number[] = [];
      for (let i = 0; i < runs; i++) {
        if (idleMs) await new Promise((r) => setTimeout(r, idleMs));
        const t = process.hrtime.bigint();
        const out = await push(limit, nextGeneration());
        walls.push(Number(process.hrtime.bigint() - t) / 1e6);
        perAgent.push(...out.map((o) => o.ms));
      }
      const sorted = [...walls].sort((a, b) => a - b);
      const wall = median(walls);
      printResult({
        name, runs, medianMs: wall, p95Ms: sorted[sorted.length - 1], opsPerSec: 1000 / wall,
        extra: { agents_per_s: Number((count / (wall / 1000)).toFixed(1)), per_agent_median_ms: median(perAgent), per_agent_max_ms: Math.max(...perAgent) },
      });
    };
    // cold: each agent's validation worker exits after 10 s idle (docs/configuration.md "Memory"), as it will
    // have between two real pushes; 11 s of quiet before each run makes every apply start it again
    for (const limit of limits) await measure(`apply, cold worker, concurrency ${limit}`, limit, 3, 11_000, () => ++generation);
    const top = limits[limits.length - 1];
    // warm: pushes back to back, workers still up (a burst of changes)
    await push(top, ++generation);
    for (const limit of [...new Set([1, 8, top].filter((l) => l <= top))]) await measure(`apply, warm worker, concurrency ${limit}`, limit, 3, 0, () => ++generation);
    await measure(`unchanged (no-op), concurrency ${top}`, top, 3, 0, () => generation);
  } finally {
    await mapLimit(agents, 8, (a) => a.cleanup());
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
