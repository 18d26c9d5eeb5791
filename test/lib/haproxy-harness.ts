/**
 * Runs real haproxy on a rendered document: writes the files to a temp
 * config dir, checks them with `haproxy -c -C dir`, starts haproxy in the
 * foreground, waits for its stats socket, and stops it by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderHaproxy, haproxyCapabilities } from '../../renderers';
import type { RenderContext, RenderOutput } from '../../renderers/types';
import { valid } from './render-fixtures';

export const HAPROXY = process.env.HAPROXY_CMD ?? 'haproxy';

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function waitFor<T>(fn: () => T | Promise<T>, ms = 10000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { freePort } from './free-port';

/** Writes rendered files under `dir` (creating subdirectories; secrets 0600), and the server-state file the config names, as the agent's adapter makes it. */
export function writeRendered(dir: string, out: RenderOutput): void {
  for (const [rel, content] of Object.entries(out.files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content, { mode: out.secrets.includes(rel) ? 0o600 : 0o644 });
  }
  const state = /^\s*server-state-file (\S+)$/m.exec(out.files[out.main] ?? '')?.[1];
  // only under a test's own temp dirs (the fixed context's /run/amphora-agent is left alone)
  if (state && state.startsWith(os.tmpdir()) && !fs.existsSync(state)) {
    fs.mkdirSync(path.dirname(state), { recursive: true });
    fs.writeFileSync(state, '1\n');
  }
}

/** `haproxy -c` of a staged config dir, as the agent runs it; returns status and output. */
export function checkConfig(dir: string, main = 'haproxy.cfg'): { ok: boolean; output: string } {
  const r = spawnSync(HAPROXY, ['-c', '-C', dir, '-f', path.join(dir, main)], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** A temp dir; removed by the caller's `cleanup`. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** Sends one command to haproxy's stats socket and returns the answer. */
export function statsCommand(sock: string, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    let out = '';
    c.on('connect', () => c.write(`${cmd}\n`));
    c.on('data', (d) => (out += d.toString()));
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });
}

/** `show stat` as records keyed `pxname/svname` -> status (UP, DOWN, MAINT, no check, OPEN...). */
export async function serverStatus(sock: string): Promise<Record<string, string>> {
  const csv = await statsCommand(sock, 'show stat');
  const lines = csv.split('\n').filter((l) => l && !l.startsWith('#'));
  const head = csv.split('\n')[0].replace(/^# /, '').split(',');
  const iStatus = head.indexOf('status');
  return Object.fromEntries(lines.map((l) => l.split(',')).map((f) => [`${f[0]}/${f[1]}`, f[iStatus]]));
}

export interface RunningHaproxy {
  dir: string;
  out: RenderOutput;
  sock: string;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

/** Renders `raw` (validated), checks it with `haproxy -c -C`, and runs it until `stop()`. */
export async function startHaproxy(raw: unknown, ctx: Partial<RenderContext> = {}): Promise<RunningHaproxy> {
  const dir = tempDir('amphora-haproxy');
  const runDir = path.join(dir, 'run');
  fs.mkdirSync(runDir);
  const conf = path.join(dir, 'conf');
  const out = renderHaproxy(valid(raw), { capabilities: haproxyCapabilities('2.6.12'), runDir, fdLimit: 20000, ...ctx });
  writeRendered(conf, out);
  const check = checkConfig(conf);
  if (!check.ok) throw new Error(`haproxy -c refused the rendered config:\n${check.output}\n${out.files['haproxy.cfg']}`);
  const proc = spawn(HAPROXY, ['-db', '-C', conf, '-f', path.join(conf, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += d.toString()));
  const sock = path.join(runDir, 'haproxy.sock');
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`haproxy exited ${proc.exitCode}: ${stderr}`);
      return fs.existsSync(sock) && (await statsCommand(sock, 'show info')).includes('Pid:');
    }, 10000, 'haproxy to start');
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir: conf, out, sock, proc, stop };
}
