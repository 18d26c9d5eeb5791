/**
 * The HTTPS server with mutual TLS: a client without a certificate signed by
 * `agent_server_ca` fails the handshake and gets nothing. Slow clients are cut
 * off after `agent_request_read_timeout` without holding up the others.
 */
import * as https from 'node:https';
import type { RequestListener } from 'node:http';
import type { TlsMaterial } from '../config';

export interface ServerOptions {
  tls: TlsMaterial;
  /** seconds to read a whole request */
  requestReadTimeout: number;
}

/** Creates (not yet listening) the API server. */
export function createApiServer(app: RequestListener, o: ServerOptions): https.Server {
  const ms = o.requestReadTimeout * 1000;
  const server = https.createServer(
    {
      // Octavia writes certificate and key into one PEM; OpenSSL picks each block out
      cert: o.tls.certAndKey,
      key: o.tls.certAndKey,
      ca: o.tls.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      handshakeTimeout: Math.min(ms, 120000),
      // node checks request timeouts only this often (30 s by default): keep it a fraction of the timeout
      connectionsCheckingInterval: Math.min(30000, Math.max(250, Math.floor(ms / 4))),
    },
    app,
  );
  server.requestTimeout = ms;
  server.headersTimeout = ms;
  server.keepAliveTimeout = 5000;
  return server;
}

/** Listens and resolves with the bound port. */
export function listen(server: https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}
