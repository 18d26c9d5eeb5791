/**
 * Render benchmark: validate+render of the contract examples and of generated
 * documents of 10, 100 and 1,000 listeners (10 members a pool, 5 L7 policies a
 * listener, test/lib/gen-large.ts), against `haproxy -c` of the result and
 * Octavia's own Jinja renderer (bench/octavia/render.py; skipped, with a line
 * saying so, where python3-octavia is not installed); the same for nginx
 * (render, and `nginx -t`, which binds the listen addresses: the VIP moves to
 * 127.50.9.2). Goal: validate+render of 1,000 listeners faster than the
 * engine's check of its output.
 * Run: `node dist/bench/render.bench.js [--json]`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateDocument } from '../schemas';
import { haproxyCapabilities, nginxCapabilities, renderHaproxy, renderNginx } from '../renderers';
import type { Document } from '../schemas';
import type { RenderContext, RenderOutput } from '../renderers/types';
import { EXAMPLES_DIR } from '../test/lib/examples';
import { genLarge } from '../test/lib/gen-large';
import { ROOT } from '../test/lib/root';
import { binaryVersion, printHeader, printResult, runScenario, type Result } from './lib/runbench';

const EXAMPLES = EXAMPLES_DIR;
const OCTAVIA = path.join(ROOT, 'bench/octavia/render.py');
const PY = '/usr/bin/python3';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'render-bench-'));
const ctx: RenderContext = { capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(tmp, 'run'), fdLimit: 20000 };

const nginxCtx: RenderContext = { capabilities: nginxCapabilities('1.22.1'), runDir: path.join(tmp, 'run'), fdLimit: 20000 };
/** nginx -t binds every listen address: the bench's own loopback VIP */
const NGINX_VIP = '127.50.9.2';

function validateAndRender(text: string, render: (doc: Document, c: RenderContext) => RenderOutput = renderHaproxy, c = ctx): RenderOutput {
  const v = validateDocument(JSON.parse(text));
  if (!v.ok) throw new Error(`invalid document: ${JSON.stringify(v.errors.slice(0, 3))}`);
  return render(v.doc, c);
}

function nginxCheck(dir: string): void {
  const prefix = path.join(tmp, 'nginx-prefix');
  fs.mkdirSync(prefix, { recursive: true });
  fs.mkdirSync(nginxCtx.runDir, { recursive: true });
  const r = spawnSync('nginx', ['-t', '-q', '-p', prefix, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(prefix, 'error.log')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nginx -t failed: ${r.stderr}`);
}

function stage(name: string, out: RenderOutput): string {
  const dir = path.join(tmp, name);
  for (const [rel, content] of Object.entries(out.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

function haproxyCheck(dir: string): void {
  const r = spawnSync('haproxy', ['-c', '-q', '-C', dir, '-f', path.join(dir, 'haproxy.cfg')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`haproxy -c failed: ${r.stderr}`);
}

/** The installed python3-octavia's version, or why there is none. */
function octaviaVersion(): string {
  const r = spawnSync(PY, ['-c', 'import importlib.metadata as m; print(m.version("octavia"))'], { encoding: 'utf8' });
  return r.status === 0 ? `python3-octavia ${r.stdout.trim()}` : 'absent (python3-octavia not installed: the Octavia lines are skipped)';
}

/** Octavia's Jinja renderer on the same document, when python3-octavia is there. */
function octavia(name: string, file: string, repeat: number): Result | null {
  const r = spawnSync(PY, [OCTAVIA, file, '--repeat', String(repeat), '--out', path.join(tmp, `${name}.octavia.cfg`)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /median_ms=([\d.]+) runs=(\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) {
    console.log(`# octavia render ${name}: skipped (${(r.stderr ?? r.error?.message ?? '').trim().split('\n').pop()})`);
    return null;
  }
  const medianMs = Number(m[1]);
  const res: Result = { name: `octavia jinja render ${name}`, runs: Number(m[2]), medianMs, p95Ms: NaN, opsPerSec: 1000 / medianMs };
  printResult(res);
  return res;
}

async function main(): Promise<void> {
  printHeader('render', { haproxy: binaryVersion('haproxy', ['-v']), nginx: binaryVersion('nginx', ['-v']), octavia: octaviaVersion() });
  for (const f of fs.readdirSync(EXAMPLES).filter((x) => x.endsWith('.json')).sort()) {
    const text = fs.readFileSync(path.join(EXAMPLES, f), 'utf8');
    const out = validateAndRender(text);
    await runScenario({ name: `validate+render ${f}`, runs: 50, fn: () => validateAndRender(text), extra: () => ({ bytes: out.files['haproxy.cfg'].length }) });
    // what nginx refuses of an example is left out by its renderer: the timing is the renderer's all the same
    const nout = validateAndRender(text, renderNginx, nginxCtx);
    await runScenario({ name: `nginx: validate+render ${f}`, runs: 50, fn: () => validateAndRender(text, renderNginx, nginxCtx), extra: () => ({ bytes: nout.files['nginx.conf'].length }) });
  }
  const summary: string[] = [];
  for (const listeners of [10, 100, 1000]) {
    const name = `${listeners} listeners`;
    const file = path.join(tmp, `large-${listeners}.json`);
    fs.writeFileSync(file, JSON.stringify(genLarge(listeners, 10, 5)));
    const text = fs.readFileSync(file, 'utf8');
    const runs = listeners >= 1000 ? 7 : 15;
    const out = validateAndRender(text);
    const doc = (() => {
      const v = validateDocument(JSON.parse(text));
      if (!v.ok) throw new Error('invalid');
      return v.doc;
    })();
    const vr = await runScenario({ name: `validate+render ${name}`, runs, fn: () => validateAndRender(text), extra: () => ({ bytes: out.files['haproxy.cfg'].length }) });
    await runScenario({ name: `  validate only ${name}`, runs, fn: () => validateDocument(JSON.parse(text)) });
    await runScenario({ name: `  render only ${name}`, runs, fn: () => renderHaproxy(doc, ctx) });
    const dir = stage(`large-${listeners}`, out);
    const hc = await runScenario({ name: `haproxy -c ${name}`, runs: listeners >= 1000 ? 5 : 10, fn: () => haproxyCheck(dir) });
    octavia(name, file, listeners >= 1000 ? 3 : 5);
    summary.push(`# ${name}: validate+render ${vr.medianMs.toFixed(1)} ms vs haproxy -c ${hc.medianMs.toFixed(1)} ms (${(vr.medianMs / hc.medianMs).toFixed(2)}x)`);
    const ntext = JSON.stringify({ ...JSON.parse(text), loadbalancer: { ...JSON.parse(text).loadbalancer, vip_address: NGINX_VIP } });
    const nout = validateAndRender(ntext, renderNginx, nginxCtx);
    const ndoc = (() => {
      const v = validateDocument(JSON.parse(ntext));
      if (!v.ok) throw new Error('invalid');
      return v.doc;
    })();
    const nvr = await runScenario({ name: `nginx: validate+render ${name}`, runs, fn: () => validateAndRender(ntext, renderNginx, nginxCtx), extra: () => ({ bytes: nout.files['nginx.conf'].length }) });
    await runScenario({ name: `  nginx: render only ${name}`, runs, fn: () => renderNginx(ndoc, nginxCtx) });
    const ndir = stage(`nginx-large-${listeners}`, nout);
    const nt = await runScenario({ name: `nginx -t ${name}`, runs: listeners >= 1000 ? 5 : 10, fn: () => nginxCheck(ndir) });
    summary.push(`# ${name}: nginx validate+render ${nvr.medianMs.toFixed(1)} ms vs nginx -t ${nt.medianMs.toFixed(1)} ms (${(nvr.medianMs / nt.medianMs).toFixed(2)}x)`);
  }
  for (const s of summary) console.log(s);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
});
