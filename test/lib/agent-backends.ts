/** Small HTTP backends on loopback that answer with their own name, and helpers to send traffic. */
import * as http from 'node:http';
import * as net from 'node:net';

export interface Backend {
  name: string;
  host: string;
  port: number;
  server: http.Server;
}

/** Starts one backend answering "NAME\n" (also on /healthz). */
export function startBackend(name: string, host: string): Promise<Backend> {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.setHeader('content-type', 'text/plain');
      res.end(`${name}\n`);
    });
    server.keepAliveTimeout = 60000;
    server.once('error', reject);
    server.listen(0, host, () => resolve({ name, host, port: (server.address() as net.AddressInfo).port, server }));
  });
}

/** Closes backends, cutting kept-alive connections. */
export async function stopBackends(bs: Backend[]): Promise<void> {
  await Promise.all(bs.map((b) => new Promise<void>((r) => { b.server.close(() => r()); b.server.closeAllConnections(); })));
}

/** One GET; resolves with status and body, rejects on a network error. */
export function get(host: string, port: number, urlPath = '/', agent: http.Agent | false = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: urlPath, agent, timeout: 10000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}
