/**
 * Real members for integration tests (HTTP, HTTPS and PROXY-protocol servers
 * that say who they are and what they received) and a client that can pick
 * its source address, SNI and client certificate.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface Backend {
  id: string;
  address: string;
  port: number;
  /** status returned to every request (set 500 to fail an HTTP health check) */
  status: number;
  /** extra response headers, e.g. { 'set-cookie': 'JSESSIONID=abc' } */
  responseHeaders: Record<string, string>;
  seen: Seen[];
  close: () => Promise<void>;
}

/** An HTTP (or HTTPS, given key and cert) member on `address`, answering its id. */
export async function startBackend(id: string, address: string, tlsOpts?: https.ServerOptions): Promise<Backend> {
  const b: Partial<Backend> & { seen: Seen[] } = { id, address, status: 200, responseHeaders: {}, seen: [] };
  const handler: http.RequestListener = (req, res) => {
    b.seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(b.status!, { 'content-type': 'text/plain', 'x-member': id, ...b.responseHeaders });
    res.end(id);
  };
  const server = tlsOpts ? https.createServer(tlsOpts, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, address, r));
  b.port = (server.address() as net.AddressInfo).port;
  b.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); });
  return b as Backend;
}

export interface ProxyBackend {
  address: string;
  port: number;
  /** the raw PROXY header of each connection (v1 text, or v2 bytes as hex) */
  headers: string[];
  close: () => Promise<void>;
}

const V2_SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** A member that reads the PROXY protocol header (v1 or v2), then answers one HTTP response. */
export async function startProxyBackend(address: string): Promise<ProxyBackend> {
  const headers: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let buf = Buffer.alloc(0);
    let done = false;
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (done) return;
      let hdr: string | null = null;
      if (buf.subarray(0, 12).equals(V2_SIG) && buf.length >= 16) {
        const len = 16 + buf.readUInt16BE(14);
        if (buf.length >= len) hdr = `v2:${buf.subarray(0, len).toString('hex')}`;
      } else if (buf.toString('latin1').startsWith('PROXY ')) {
        const end = buf.indexOf('\r\n');
        if (end > 0) hdr = buf.subarray(0, end).toString('latin1');
      } else if (buf.length >= 16) {
        hdr = 'none';
      }
      if (hdr === null) return;
      done = true;
      headers.push(hdr);
      const body = 'proxied';
      s.end(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, address, r));
  const port = (server.address() as net.AddressInfo).port;
  return { address, port, headers, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOpts {
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** source address (any 127.x address works on Linux) */
  localAddress?: string;
  tls?: { servername?: string; ca?: string; cert?: string; key?: string };
}

/** One request on a new connection. */
export function request(host: string, port: number, o: RequestOpts = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const base = { host, port, path: o.path ?? '/', method: o.method ?? 'GET', headers: { connection: 'close', ...o.headers }, localAddress: o.localAddress, agent: false as const };
    const cb = (res: http.IncomingMessage) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    };
    const req = o.tls
      ? https.request({ ...base, servername: o.tls.servername, ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key, rejectUnauthorized: !!o.tls.ca }, cb)
      : http.request(base, cb);
    req.setTimeout(8000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The certificate a TLS server presents for `servername` (its subject CN). */
export function peerCertCN(host: string, port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host, port, servername, rejectUnauthorized: false }, () => {
      const cn = s.getPeerCertificate().subject?.CN;
      s.end();
      resolve(Array.isArray(cn) ? cn[0] : String(cn));
    });
    s.on('error', reject);
  });
}

/** Counts of `x-member` over `n` requests. */
export async function spread(host: string, port: number, n: number, o: RequestOpts = {}): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await request(host, port, o);
    const m = String(r.headers['x-member'] ?? `status-${r.status}`);
    counts[m] = (counts[m] ?? 0) + 1;
  }
  return counts;
}
