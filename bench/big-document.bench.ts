/**
 * Big documents against the real agent (bin/amphora-agent, as systemd runs
 * it): for N members in pools of at most the per-pool limit (no monitor, so haproxy's checks do not load
 * the machine), the document's size, the agent's peak RSS while applying it
 * (VmHWM, reset before each PUT through /proc/PID/clear_refs), the PUT's
 * time, and GET /v1/info latency during the apply and idle afterwards with
 * heartbeats every second. Shapes: SHAPES=members:N,longnames:N,l7:LISTENERS:POLICIES
 * (default: up to the largest documents the agent accepts).
 * Run after the build: node dist/bench/big-document.bench.js [--json]
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_MEMBERS_PER_POOL, MAX_MEMBERS_TOTAL } from '../schemas/limits';
import { AgentProcess, makeCerts, tempDir } from '../test/lib/agent-harness';
import { genLarge } from '../test/lib/gen-large';
import { binaryVersion, printHeader, printResult } from './lib/runbench';

const NET = '127.90.9';

function status(pid: number, key: string): number {
  const m = new RegExp(`${key}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** `members` members on loopback in as few pools as the per-pool limit allows (one listener each), no monitor. */
function bigDoc(members: number, generation: number): Record<string, any> {
  const pools = Math.ceil(members / MAX_MEMBERS_PER_POOL);
  const d: any = genLarge(pools, Math.floor(members / pools), 0);
  d.generation = generation;
  d.loadbalancer.vip_address = `${NET}.2`;
  for (const p of d.loadbalancer.pools) {
    p.healthmonitor = null;
    // member ports must stay unique per address
    p.members.forEach((m: any, j: number) => {
      m.address = `${NET}.${3 + Math.floor(j / 50000)}`;
      m.protocol_port = 1024 + (j % 50000);
    });
  }
  return d;
}

/** The largest shapes: many members, members with the longest names, many L7 policies. `NAME:ARGS` */
function shapedDoc(shape: string, generation: number): Record<string, any> {
  const [kind, a, b] = shape.split(':');
  if (kind === 'members') return bigDoc(Number(a), generation);
  if (kind === 'longnames') {
    const d = bigDoc(Number(a), generation);
    for (const p of d.loadbalancer.pools) for (const m of p.members) m.name = `${m.member_id}-`.padEnd(255, 'n');
    return d;
  }
  if (kind === 'l7') {
    // A listeners with B REDIRECT_TO_POOL policies of two rules each, 10 members per pool
    const d: any = genLarge(Number(a), 10, Number(b));
    d.generation = generation;
    d.loadbalancer.vip_address = `${NET}.2`;
    for (const p of d.loadbalancer.pools) {
      p.healthmonitor = null;
      p.members.forEach((m: any, j: number) => (m.address = `${NET}.${3 + j}`));
    }
    return d;
  }
  throw new Error(`unknown shape ${shape}`);
}

/** Latencies (ms) of GET /v1/info every `gapMs` until `done()`. */
async function sampleInfo(agent: AgentProcess, done: () => boolean, gapMs: number): Promise<number[]> {
  const out: number[] = [];
  while (!done()) {
    const t0 = performance.now();
    await agent.api('GET', '/v1/info');
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return out;
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
};

async function main() {
  // each replaces the one before: the old state is held while the new one is applied (the worst case)
  const shapes = (process.env.SHAPES ?? `members:5000,members:${MAX_MEMBERS_TOTAL},longnames:19000,l7:320:40,l7:320:40`).split(',');
  printHeader('big documents (agent memory, /v1/info latency)', { haproxy: binaryVersion('/usr/sbin/haproxy', ['-v']) });
  const work = tempDir('big-doc-bench-');
  const hb = dgram.createSocket('udp4');
  await new Promise<void>((r) => hb.bind(0, `${NET}.1`, () => r()));
  let beats = 0;
  hb.on('message', () => beats++);
  const agent = new AgentProcess({ ip: `${NET}.1`, certs: makeCerts(path.join(work, 'certs'), `${NET}.1`), heartbeat: { controllers: `${NET}.1:${hb.address().port}`, intervalSec: 1 } }, work);
  try {
    await agent.start();
    const pid = agent.proc!.pid!;
    let generation = 0;
    for (const shape of shapes) {
      const doc = shapedDoc(shape, ++generation);
      const bytes = Buffer.byteLength(JSON.stringify(doc));
      fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
      let applying = true;
      const during = sampleInfo(agent, () => !applying, 20);
      const t0 = performance.now();
      const r = await agent.api('PUT', '/v1/loadbalancer', doc);
      const putMs = performance.now() - t0;
      applying = false;
      const busy = await during;
      if (r.status !== 200) throw new Error(`PUT of ${shape} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      const peak = status(pid, 'VmHWM');
      const beats0 = beats;
      const until = Date.now() + 10000;
      const idle = await sampleInfo(agent, () => Date.now() > until, 20);
      printResult({
        name: `${shape} (${(bytes / 1048576).toFixed(1)} MiB)`, runs: 1, medianMs: putMs, p95Ms: putMs, opsPerSec: 1000 / putMs,
        extra: {
          peak_rss_MiB: peak.toFixed(0), rss_after_MiB: status(pid, 'VmRSS').toFixed(0),
          info_p50_applying_ms: q(busy, 0.5).toFixed(1), info_p99_applying_ms: q(busy, 0.99).toFixed(1),
          info_p50_idle_ms: q(idle, 0.5).toFixed(1), info_p99_idle_ms: q(idle, 0.99).toFixed(1), heartbeats_idle_10s: beats - beats0,
        },
      });
    }
  } finally {
    await agent.cleanup();
    hb.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
