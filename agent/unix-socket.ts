/** A one-shot request over a unix stream socket: haproxy's stats socket and master CLI. */
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
