/**
 * A client of the agent's API (contract section 3) for controllers and
 * scripts: HTTPS with mutual TLS, JSON in and out. Answers of every status are
 * returned, not thrown: 400/409/422/503 carry what the controller must act on;
 * only a failure to get any answer throws (AgentUnreachable). Usable on its
 * own from TypeScript: it imports nothing of the CLI.
 */
import * as https from 'node:https';
import * as net from 'node:net';
import type { AgentDetails, AgentInfo, ApplyAnswer, ErrorAnswer, ValidateAnswer } from './agent-answers';
import { AgentRefused, AgentUnreachable, UsageError } from './errors';

export { AgentRefused, AgentUnreachable } from './errors';

/** The port of the API when a URL names none (Octavia's `bind_port`). */
export const DEFAULT_AGENT_PORT = 9443;

/** The controller's TLS identity towards agents. */
export interface TlsIdentity {
  /** PEM of the CA that signed the agents' certificates */
  ca: string | Buffer;
  /** PEM of the controller's client certificate, and its key */
  cert: string | Buffer;
  key: string | Buffer;
}

export interface AgentClientOptions extends TlsIdentity {
  host: string;
  port: number;
  timeoutMs?: number;
  /** name (not an IP) to check the agent's certificate against instead of `host`, e.g. the amphora id; also sent as SNI */
  servername?: string;
}

/** An answer of any status; `body` is parsed JSON (or the text when it is not JSON). */
export interface AgentAnswer<T = unknown> {
  status: number;
  body: T | ErrorAnswer;
}

/** `https://HOST[:PORT]` (IPv6 in brackets) to host and port; throws UsageError naming the URL. */
export function parseAgentUrl(url: string): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url.includes('://') ? url : `https://${url}`);
  } catch {
    throw new UsageError(`agent "${url}" is not a URL like https://192.0.2.10:9443`);
  }
  if (u.protocol !== 'https:' || (u.pathname !== '/' && u.pathname !== '') || u.search || u.username) {
    throw new UsageError(`agent "${url}" must be https://HOST[:PORT] with no path`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: u.port ? Number(u.port) : DEFAULT_AGENT_PORT };
}

/** Calls the routes of `/v1`. */
export class AgentClient {
  constructor(private readonly o: AgentClientOptions) {}

  /** A client of the agent at `url` (https://HOST[:PORT]). */
  static fromUrl(url: string, identity: TlsIdentity, timeoutMs?: number): AgentClient {
    return new AgentClient({ ...parseAgentUrl(url), ...identity, timeoutMs });
  }

  /** `https://host:port` of this agent, as reports name it. */
  get url(): string {
    return `https://${net.isIPv6(this.o.host) ? `[${this.o.host}]` : this.o.host}:${this.o.port}`;
  }

  /** One request; the body is parsed as JSON when it is JSON. */
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<AgentAnswer<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const timeoutMs = this.o.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.o.host, port: this.o.port, method, path, ca: this.o.ca, cert: this.o.cert, key: this.o.key, agent: false,
          servername: this.o.servername,
          headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(new AgentUnreachable(`reading the answer to ${method} ${path} from ${this.url} failed: ${e.message}`, { cause: e })));
          res.on('end', () => {
            clearTimeout(deadline);
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // not JSON (a proxy's error page?): hand back the text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
        },
      );
      // one deadline for the whole exchange: node's `timeout` option is per idle socket and, with TLS, fires late
      const deadline = setTimeout(() => req.destroy(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (e) => {
        clearTimeout(deadline);
        reject(new AgentUnreachable(`${method} ${path} to ${this.url} failed: ${e.message}`, { cause: e }));
      });
      req.end(payload);
    });
  }

  /** GET /v1/info */
  info() { return this.request<AgentInfo>('GET', '/v1/info'); }
  /** GET /v1/details */
  details() { return this.request<AgentDetails>('GET', '/v1/details'); }
  /** PUT /v1/loadbalancer: apply a document */
  putLoadBalancer(doc: unknown) { return this.request<ApplyAnswer>('PUT', '/v1/loadbalancer', doc); }
  /** POST /v1/loadbalancer/validate: everything PUT does short of touching the engine */
  validate(doc: unknown) { return this.request<ValidateAnswer>('POST', '/v1/loadbalancer/validate', doc); }
  /** GET /v1/loadbalancer: the applied document, secrets redacted */
  getLoadBalancer() { return this.request('GET', '/v1/loadbalancer'); }
  /** DELETE /v1/loadbalancer: stop serving and forget the document */
  deleteLoadBalancer() { return this.request('DELETE', '/v1/loadbalancer'); }
  /** GET /v1/config: the rendered files, secrets redacted */
  getConfig() { return this.request('GET', '/v1/config'); }
}

/** The body of a 2xx answer; anything else throws AgentRefused naming `what`. */
export function expectOk<T>(a: AgentAnswer<T>, what: string): T {
  if (a.status >= 200 && a.status < 300) return a.body as T;
  throw new AgentRefused(a.status, a.body, what);
}
