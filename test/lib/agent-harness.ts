/**
 * Starts the real agent the way contract section 5 says
 * (`bin/amphora-agent --config-file FILE`, after the build) with a temp state
 * dir and openssl-made certificates, and talks to its API over mutual TLS.
 * Every process it starts is stopped by `cleanup()`, haproxy included.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './root';

export { ROOT };

export interface Certs {
  dir: string;
  ca: string;
  agent: string;
  controllerCert: string;
  controllerKey: string;
  rogueCert: string;
  rogueKey: string;
}

/** Makes a CA, an agent cert+key PEM and a controller client cert with openssl (scripts/make-demo-certs.sh). */
export function makeCerts(dir: string, ip: string): Certs {
  execFileSync('bash', [path.join(ROOT, 'scripts/make-demo-certs.sh'), dir, ip], { stdio: 'pipe' });
  const f = (n: string) => path.join(dir, n);
  return { dir, ca: f('ca.pem'), agent: f('agent.pem'), controllerCert: f('controller.pem'), controllerKey: f('controller.key'), rogueCert: f('rogue.pem'), rogueKey: f('rogue.key') };
}

import { freePort } from './free-port';

export { freePort };

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ApiResponse {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

export interface AgentOptions {
  ip: string;
  certs: Certs;
  stateDir?: string;
  extraConf?: string;
  env?: NodeJS.ProcessEnv;
  debug?: boolean;
  /** agent_request_read_timeout, seconds (30 by default here) */
  readTimeout?: number;
  /** `[health_manager]` keys; by default one unused target on `ip:5555`, every 10 s, key "insecure" */
  heartbeat?: { controllers: string; intervalSec?: number; key?: string };
  /** `[amphora_agent] amphora_id` (a fixed test id by default) */
  amphoraId?: string;
  /** `[amphora_agent] engine` (haproxy by default; ENGINE in the environment changes the default) */
  engine?: 'haproxy' | 'nginx';
  /**
   * `[amphora_agent] nginx_nonlocal_bind`: by default True only with `netns`: an nginx agent in the test
   * machine's own namespace must not turn on its non-local binds (other tests expect a bind to fail there)
   */
  nonlocalBind?: boolean;
  /** run the agent inside this network namespace (`ip netns exec`); needs `port` and `apiSocket` */
  netns?: string;
  /** the API port (default: a free one on `ip`) */
  port?: number;
  /** reach the API through this unix socket (a forwarder into the namespace) instead of `ip:port` */
  apiSocket?: string;
  /** `[haproxy_amphora] haproxy_cmd` (default /usr/sbin/haproxy) */
  haproxyCmd?: string;
}

/** The engine agent tests run when they do not say: ENGINE=nginx runs the conformance tests on nginx. */
export const DEFAULT_ENGINE: 'haproxy' | 'nginx' = process.env.ENGINE === 'nginx' ? 'nginx' : 'haproxy';

export class AgentProcess {
  proc: ChildProcess | null = null;
  lines: any[] = [];
  /** one kept-alive connection for `api(..., { keepAlive: true })`, as a controller's HTTP session holds one (Octavia: a requests.Session) */
  private session: https.Agent | null = null;
  port = 0;
  readonly stateDir: string;
  readonly confFile: string;

  constructor(readonly o: AgentOptions, readonly workDir: string) {
    this.stateDir = o.stateDir ?? path.join(workDir, 'state');
    this.confFile = path.join(workDir, 'amphora-agent.conf');
  }

  get runDir(): string {
    return path.join(this.stateDir, 'run');
  }

  /** The engine this agent runs. */
  get engine(): 'haproxy' | 'nginx' {
    return this.o.engine ?? DEFAULT_ENGINE;
  }

  /** Writes the config (stock-Octavia shape plus our own keys) and starts the agent; resolves when /v1/info answers. */
  async start(): Promise<void> {
    if (!this.port) this.port = this.o.port ?? await freePort(this.o.ip);
    fs.writeFileSync(this.confFile, `[DEFAULT]
debug = ${this.o.debug ? 'True' : 'False'}
use_syslog = True

[haproxy_amphora]
base_path = /var/lib/octavia
bind_host = ${this.o.ip}
bind_port = ${this.port}
haproxy_cmd = ${this.o.haproxyCmd ?? '/usr/sbin/haproxy'}
respawn_count = 2

[health_manager]
controller_ip_port_list = ${this.o.heartbeat?.controllers ?? `${this.o.ip}:5555`}
heartbeat_interval = ${this.o.heartbeat?.intervalSec ?? 10}
heartbeat_key = ${this.o.heartbeat?.key ?? 'insecure'}

[amphora_agent]
agent_server_ca = ${this.o.certs.ca}
agent_server_cert = ${this.o.certs.agent}
agent_request_read_timeout = ${this.o.readTimeout ?? 30}
amphora_id = ${this.o.amphoraId ?? '11111111-2222-4333-8444-555555555555'}
amphora_udp_driver = keepalived_lvs
state_dir = ${this.stateDir}
engine = ${this.engine}
nginx_nonlocal_bind = ${(this.o.nonlocalBind ?? !!this.o.netns) ? 'True' : 'False'}
${this.o.extraConf ?? ''}

[controller_worker]
loadbalancer_topology = SINGLE
`);
    // the way contract section 5 starts it: the executable itself, so its shebang's node flags apply
    const argv = [path.join(ROOT, 'bin/amphora-agent'), '--config-file', this.confFile];
    // `ip netns exec` execs the agent: the child's pid is the agent's
    const [cmd, ...args] = this.o.netns ? ['ip', 'netns', 'exec', this.o.netns, ...argv] : argv;
    const proc = spawn(cmd, args, { env: { ...process.env, ...this.o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          this.lines.push({ raw: line });
        }
      }
    });
    proc.stderr!.on('data', (d: Buffer) => this.lines.push({ stderr: d.toString() }));
    await until('the agent to answer /v1/info', async () => {
      if (proc.exitCode !== null) throw new Error(`the agent exited with ${proc.exitCode}: ${JSON.stringify(this.lines.slice(-5))}`);
      return (await this.api('GET', '/v1/info')).status === 200;
    }, 30000);
  }

  /** Sends SIGTERM and waits for the agent to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return p?.exitCode ?? null;
    const done = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    p.kill(signal);
    return done;
  }

  /** A request over mutual TLS with the controller's certificate (or another identity). */
  api(method: string, urlPath: string, body?: unknown, opts: { cert?: string; key?: string; noCert?: boolean; raw?: Buffer | string; chunked?: boolean; headers?: Record<string, string>; keepAlive?: boolean } = {}): Promise<ApiResponse> {
    const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (opts.keepAlive && !this.session) this.session = new https.Agent({ keepAlive: true, maxSockets: 1 });
    return new Promise((resolve, reject) => {
      const req = https.request({
        host: this.o.ip, port: this.port, method, path: urlPath, ca: fs.readFileSync(this.o.certs.ca), agent: opts.keepAlive ? this.session! : false,
        ...(this.o.apiSocket ? { socketPath: this.o.apiSocket } : {}),
        ...(opts.noCert ? {} : { cert: fs.readFileSync(opts.cert ?? this.o.certs.controllerCert), key: fs.readFileSync(opts.key ?? this.o.certs.controllerKey) }),
        headers: { 'content-type': 'application/json', ...(payload !== undefined && !opts.chunked ? { 'content-length': Buffer.byteLength(payload) } : {}), ...opts.headers },
        timeout: 60000,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try { parsed = JSON.parse(text); } catch { /* keep text */ }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined && opts.chunked) {
        // without a Content-Length node sends the body chunked, in pieces
        const b = Buffer.from(payload);
        for (let i = 0; i < b.length; i += 16384) req.write(b.subarray(i, i + 16384));
      } else if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** The engine master's pid from its pid file, or null. */
  masterPid(): number | null {
    try {
      return Number(fs.readFileSync(path.join(this.runDir, `${this.engine}.pid`), 'utf8').trim()) || null;
    } catch {
      return null;
    }
  }

  /** keepalived's pid from its pid file (agent/keepalived), or null. */
  keepalivedPid(): number | null {
    try {
      return Number(fs.readFileSync(path.join(this.runDir, 'keepalived', 'keepalived.pid'), 'utf8').trim()) || null;
    } catch {
      return null;
    }
  }

  /** Stops the agent and the engine and keepalived it started (both outlive the agent; SIGTERM: haproxy's and nginx's master stop their workers). */
  async cleanup(): Promise<void> {
    this.session?.destroy();
    this.session = null;
    await this.stop().catch(() => undefined);
    for (const [what, pid] of [[this.engine, this.masterPid()], ['keepalived', this.keepalivedPid()]] as const) {
      if (!pid || !alive(pid)) continue;
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
      await until(`${what} to exit`, () => !alive(pid), 10000).catch(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });
    }
  }
}

/** True when the pid runs (zombies count as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A fresh temp dir under the OS temp dir. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
