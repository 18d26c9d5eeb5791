/**
 * A small client of the agent's API (contract section 3) for controllers and
 * scripts: HTTPS with mutual TLS, JSON in and out. Answers of every status are
 * returned, not thrown: 400/409/422/503 carry what the controller must act on.
 */
import * as https from 'node:https';

export interface AgentClientOptions {
  host: string;
  port: number;
  /** PEM of the CA that signed the agent's certificate */
  ca: string | Buffer;
  /** PEM of the controller's client certificate and its key */
  cert: string | Buffer;
  key: string | Buffer;
  timeoutMs?: number;
}

export interface AgentAnswer<T = any> {
  status: number;
  body: T;
}

/** A network or TLS failure (no HTTP answer at all). */
export class AgentUnreachable extends Error {
  readonly code = 'AGENT_UNREACHABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentUnreachable';
  }
}

/** Calls the routes of `/v1`. */
export class AgentClient {
  constructor(private readonly o: AgentClientOptions) {}

  /** One request; the body is parsed as JSON when it is JSON. */
  request<T = any>(method: string, path: string, body?: unknown): Promise<AgentAnswer<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.o.host, port: this.o.port, method, path, ca: this.o.ca, cert: this.o.cert, key: this.o.key, agent: false,
          timeout: this.o.timeoutMs ?? 60_000,
          headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(new AgentUnreachable(`reading the answer to ${method} ${path} failed: ${e.message}`, { cause: e })));
          res.on('end', () => {
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
      req.on('timeout', () => req.destroy(new Error(`no answer in ${this.o.timeoutMs ?? 60_000} ms`)));
      req.on('error', (e) => reject(new AgentUnreachable(`${method} ${path} to ${this.o.host}:${this.o.port} failed: ${e.message}`, { cause: e })));
      req.end(payload);
    });
  }

  /** GET /v1/info */
  info() { return this.request('GET', '/v1/info'); }
  /** GET /v1/details */
  details() { return this.request('GET', '/v1/details'); }
  /** PUT /v1/loadbalancer: apply a document */
  putLoadBalancer(doc: unknown) { return this.request('PUT', '/v1/loadbalancer', doc); }
  /** POST /v1/loadbalancer/validate */
  validate(doc: unknown) { return this.request('POST', '/v1/loadbalancer/validate', doc); }
  /** GET /v1/loadbalancer */
  getLoadBalancer() { return this.request('GET', '/v1/loadbalancer'); }
  /** DELETE /v1/loadbalancer */
  deleteLoadBalancer() { return this.request('DELETE', '/v1/loadbalancer'); }
  /** GET /v1/config */
  getConfig() { return this.request('GET', '/v1/config'); }
}
