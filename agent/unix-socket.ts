/** One-shot requests over unix stream sockets: haproxy's stats socket and master CLI, nginx's status server. */
import * as http from 'node:http';
import * as net from 'node:net';

/** Sends one command line and returns everything the peer writes until it closes. */
export type SocketQuery = (socketPath: string, command: string, timeoutMs?: number) => Promise<string>;

/** The real query over net.connect. */
export const queryUnixSocket: SocketQuery = (socketPath, command, timeoutMs = 5000) =>
  new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(new Error(`no answer from ${socketPath} within ${timeoutMs} ms`)), timeoutMs);
    sock.on('connect', () => sock.end(`${command}\n`));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });

/** One HTTP GET over a unix stream socket (nginx's status server): status and body. */
export type UnixHttpGet = (socketPath: string, urlPath: string, timeoutMs?: number) => Promise<{ status: number; body: string }>;

/** The real GET over node's http client. */
export const httpGetUnix: UnixHttpGet = (socketPath, urlPath, timeoutMs = 5000) =>
  new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: urlPath, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${socketPath} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
