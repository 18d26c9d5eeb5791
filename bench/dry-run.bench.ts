/**
 * The dry run of a large document, end to end, against its anchor, in one
 * run: `POST /v1/loadbalancer/validate` of the 1,000-listener document
 * (gen-large 1000 10 5), sent as bytes, through the real agent (parse,
 * validate, render, stage, `haproxy -c`), next to Octavia's own Jinja render of the same
 * document plus `haproxy -c` of its output. The Octavia line is skipped, with
 * a line saying so, where python3-octavia is not installed. Requests go over
 * one kept-alive connection, as a controller's HTTP session sends them.
 * Run after the build: node dist/bench/dry-run.bench.js [--json] [--listeners N]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentProcess, makeCerts, tempDir } from '../test/lib/agent-harness';
import { genLarge } from '../test/lib/gen-large';
import { ROOT } from '../test/lib/root';
import { binaryVersion, printHeader, printResult, runScenario, type Result } from './lib/runbench';

const NET = process.env.BENCH_DRYRUN_NET ?? '127.20.10';
const PY = '/usr/bin/python3';
const OCTAVIA = path.join(ROOT, 'bench/octavia/render.py');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** Octavia's render (median of `repeat`) of `file`, and its output written to `out`; null when Octavia is not there. */
function octaviaRender(file: string, out: string, repeat: number): number | null {
  const r = spawnSync(PY, [OCTAVIA, file, '--repeat', String(repeat), '--out', out], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /median_ms=([\d.]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) {
    console.log(`# Octavia's render: skipped (${(r.stderr || r.error?.message || 'python3-octavia not installed').trim().split('\n').pop()})`);
    return null;
  }
  return Number(m[1]);
}

async function main(): Promise<void> {
  const listeners = arg('--listeners', 1000);
  printHeader('dry run (POST /v1/loadbalancer/validate)', { haproxy: binaryVersion('haproxy', ['-v']) });
  const work = tempDir('dry-run-bench-');
  const agent = new AgentProcess({ ip: `${NET}.1`, certs: makeCerts(path.join(work, 'certs'), `${NET}.1`) }, work);
  try {
    await agent.start();
    const doc: any = genLarge(listeners, 10, 5);
    doc.loadbalancer.vip_address = `${NET}.2`;
    for (const p of doc.loadbalancer.pools) for (const m of p.members) m.address = `${NET}.3`;
    const file = path.join(work, 'doc.json');
    // the bytes a controller sends: serializing the document is the client's work, not the agent's
    const body = Buffer.from(JSON.stringify(doc));
    fs.writeFileSync(file, body);
    const name = `${listeners} listeners`;
    let run = 0;
    const ours = await runScenario({
      name: `agent validate ${name}`, runs: 7,
      // every listener and pool differs from the run before (their names): the validation worker keeps the last
      // document's validated parts, and a run it had seen would measure its memo, not a first validation
      setup: () => {
        const d = structuredClone(doc);
        run++;
        for (const l of d.loadbalancer.listeners) l.name = `run ${run}`;
        for (const p of d.loadbalancer.pools) p.name = `run ${run}`;
        return Buffer.from(JSON.stringify(d));
      },
      fn: async (b: Buffer) => {
        const r = await agent.api('POST', '/v1/loadbalancer/validate', undefined, { raw: b, keepAlive: true });
        if (r.status !== 200) throw new Error(`validate answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      },
    });
    const octCfg = path.join(work, 'octavia.cfg');
    const render = octaviaRender(file, octCfg, 3);
    if (render === null) return;
    printResult({ name: `octavia jinja render ${name}`, runs: 3, medianMs: render, p95Ms: NaN, opsPerSec: 1000 / render });
    const check = await runScenario({
      name: `haproxy -c of octavia's output ${name}`, runs: 5,
      fn: () => {
        const r = spawnSync('haproxy', ['-c', '-q', '-f', octCfg], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`haproxy -c refused Octavia's output: ${r.stderr}`);
      },
    });
    const anchor = render + check.medianMs;
    const ratio: Result = { ...ours, name: `ratio ${name}`, extra: { ours_ms: ours.medianMs.toFixed(1), octavia_render_plus_check_ms: anchor.toFixed(1), ratio: (ours.medianMs / anchor).toFixed(2) } };
    printResult(ratio);
  } finally {
    await agent.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
