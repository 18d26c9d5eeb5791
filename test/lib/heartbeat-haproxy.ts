/**
 * A real haproxy for heartbeat integration tests: the contract's http-basic
 * example moved to loopback, rendered by the haproxy renderer, run in the
 * foreground; node http servers as members; exact-byte HTTP requests.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { readHaproxyStats } from '../../agent/heartbeat';
import { Document, validateDocument } from '../../schemas';
import { haproxyCapabilities } from '../../renderers';
import type { ServePlan } from '../../renderers/types';
import { renderHaproxy } from '../../renderers/haproxy';
import { loadExample } from './examples';

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function until<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 20_000, stepMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export { freePort } from './free-port';

/** A member: an http server answering every request with a fixed body. */
export async function startBackend(host: string, body: string): Promise<http.Server> {
  const srv = http.createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => srv.listen(0, host, r));
  return srv;
}

/** Stops a backend now, open connections included. */
export function stopBackend(srv: http.Server): Promise<void> {
  srv.closeAllConnections();
  return new Promise((r) => srv.close(() => r()));
}

/** http-basic with the VIP, port, members and monitor timing moved to loopback test values. */
export function loopbackDoc(vip: string, port: number, members: { address: string; port: number }[], connectionLimit = -1): Document {
  const raw = loadExample('http-basic');
  const lb = raw.loadbalancer;
  lb.vip_address = vip;
  const l = lb.listeners[0];
  delete l.default_pool;
  l.protocol_port = port;
  l.connection_limit = connectionLimit;
  const p = lb.pools[0];
  p.members = p.members.slice(0, members.length).map((m: Record<string, unknown>, i: number) => ({ ...m, address: members[i].address, protocol_port: members[i].port, weight: 1 }));
  // fast checks so a stopped member goes DOWN in about a second
  Object.assign(p.healthmonitor, { delay: 1, timeout: 1, max_retries: 1, max_retries_down: 1, url_path: '/', domain_name: null, http_version: 1.0 });
  const v = validateDocument(raw);
  if (!v.ok) throw new Error(`test document invalid: ${JSON.stringify(v.errors)}`);
  return v.doc;
}

export interface RunningHaproxy {
  dir: string;
  socket: string;
  pid(): number;
  /** a new process taking over with -sf (counters restart at zero) */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

function spawnHaproxy(dir: string, extra: string[]): ChildProcess {
  const p = spawn('/usr/sbin/haproxy', ['-db', '-C', dir, '-f', path.join(dir, 'haproxy.cfg'), ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  p.stderr!.on('data', () => undefined);
  return p;
}

const renderIn = (doc: Document, dir: string) => renderHaproxy(doc, { capabilities: haproxyCapabilities('2.6.12'), runDir: dir, fdLimit: 2000 });

/** What the renderer says `doc` serves (the applied config's plan the heartbeat reads). */
export function planOf(doc: Document): ServePlan {
  return renderIn(doc, '/run/unused').serves;
}

/** Renders `doc` into `dir` and runs haproxy on it until its stats socket answers. */
export async function startHaproxy(doc: Document, dir: string): Promise<RunningHaproxy> {
  const out = renderIn(doc, dir);
  fs.writeFileSync(path.join(dir, 'server-state'), '1\n');
  for (const [name, text] of Object.entries(out.files)) fs.writeFileSync(path.join(dir, name), text, { mode: 0o600 });
  const socket = path.join(dir, 'haproxy.sock');
  const procs: ChildProcess[] = [];
  let current = spawnHaproxy(dir, []);
  procs.push(current);
  const servingPid = async () => {
    const s = await readHaproxyStats(socket).catch(() => null);
    return s ? Number(/^Pid: (\d+)$/m.exec(s.showInfo)?.[1]) : 0;
  };
  await until('haproxy stats socket', async () => (await servingPid()) === current.pid);
  return {
    dir,
    socket,
    pid: () => current.pid!,
    async reload() {
      const old = current;
      current = spawnHaproxy(dir, ['-x', socket, '-sf', String(old.pid)]);
      procs.push(current);
      await until('the reloaded haproxy', async () => (await servingPid()) === current.pid);
      await until('the old haproxy to exit', () => old.exitCode !== null || old.signalCode !== null);
    },
    async stop() {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? null : new Promise((r) => p.once('exit', r)))));
    },
  };
}

/** One HTTP/1.0 request on its own connection; resolves with the exact bytes sent and received. */
export function exactRequest(host: string, port: number, pathName = '/'): Promise<{ sent: number; received: number; text: string }> {
  const req = Buffer.from(`GET ${pathName} HTTP/1.0\r\nHost: test\r\n\r\n`);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, host, () => s.write(req));
    s.on('data', (c) => chunks.push(c));
    s.on('error', reject);
    s.on('end', () => {
      const all = Buffer.concat(chunks);
      resolve({ sent: req.length, received: all.length, text: all.toString() });
    });
  });
}
