/**
 * One health check of one member, as haproxy's checks do them (nginx open
 * source has none): HTTP/HTTPS sends the monitor's method, path and version
 * (Host only for HTTP/1.1 with domain_name, as Octavia) and expects one of its
 * codes; TCP and PING connect (haproxy cannot send ICMP either); TLS-HELLO
 * completes a TLS handshake; UDP-CONNECT sends a datagram and fails on an ICMP
 * port unreachable (keepalived's UDP_CHECK). Certificates are not verified
 * (haproxy's `verify none`: nginx refuses pool CAs). Each resolves to true
 * (passed) or false, never throws.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface ProbeTarget {
  address: string;
  port: number;
}

export interface HttpCheck {
  method: string;
  path: string;
  version: 1.0 | 1.1;
  host: string | null;
  /** the monitor's expected_codes: "200", "200,202", "200-204" */
  expected: string;
}

/** True when `code` is one of `expected_codes`. */
export function codeExpected(expected: string, code: number): boolean {
  const e = expected.replace(/ /g, '');
  const range = /^(\d{3})-(\d{3})$/.exec(e);
  if (range) return code >= Number(range[1]) && code <= Number(range[2]);
  return e.split(',').map(Number).includes(code);
}

/** The request line and headers a check sends. */
export function checkRequest(c: HttpCheck): string {
  const host = c.version === 1.1 && c.host ? `Host: ${c.host}\r\n` : '';
  return `${c.method} ${c.path} HTTP/${c.version === 1.1 ? '1.1' : '1.0'}\r\n${host}Connection: close\r\n\r\n`;
}

type Conn = net.Socket | tls.TLSSocket;

/** Connects (with TLS or not), runs `talk`, and settles once within `timeoutMs`. */
function withConnection(t: ProbeTarget, secure: boolean, timeoutMs: number, talk: (c: Conn, done: (ok: boolean) => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const c: Conn = secure
      ? tls.connect({ host: t.address, port: t.port, rejectUnauthorized: false, servername: net.isIP(t.address) ? undefined : t.address })
      : net.connect({ host: t.address, port: t.port });
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      c.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    c.on('error', () => done(false));
    c.once(secure ? 'secureConnect' : 'connect', () => talk(c, done));
  });
}

/** A TCP connect check (TCP, PING). */
export function probeTcp(t: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return withConnection(t, false, timeoutMs, (_c, done) => done(true));
}

/** A completed TLS handshake (TLS-HELLO). */
export function probeTlsHello(t: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return withConnection(t, true, timeoutMs, (_c, done) => done(true));
}

/** An HTTP or HTTPS check: the status line's code must be expected. */
export function probeHttp(t: ProbeTarget, secure: boolean, check: HttpCheck, timeoutMs: number): Promise<boolean> {
  return withConnection(t, secure, timeoutMs, (c, done) => {
    let head = '';
    c.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const m = /^HTTP\/\d\.\d (\d{3})/.exec(head);
      if (m) done(codeExpected(check.expected, Number(m[1])));
      else if (head.includes('\n') || head.length > 64) done(false);
    });
    c.on('end', () => done(false));
    c.write(checkRequest(check));
  });
}

/** A datagram to the member: down when it answers port unreachable within the timeout, up otherwise (or on a reply). */
export function probeUdp(t: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket(net.isIPv6(t.address) ? 'udp6' : 'udp4');
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(true), timeoutMs);
    // on a connected socket an ICMP port unreachable comes back as ECONNREFUSED
    s.on('error', () => done(false));
    s.on('message', () => done(true));
    s.connect(t.port, t.address, () => s.send(Buffer.alloc(0), (e) => e && done(false)));
  });
}
