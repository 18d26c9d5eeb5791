/**
 * TLS material for nginx: the same files as for haproxy (certificate,
 * intermediates and decrypted key in one PEM, which nginx reads as both
 * `ssl_certificate` and `ssl_certificate_key`), the directives that name
 * them, and the host names each SNI certificate is chosen for. Paths are
 * relative to the config directory, which nginx resolves them against.
 */
import { X509Certificate } from 'node:crypto';
import type { Listener, Pool, TlsContainer } from '../../schemas';
import { pemBundle, type FileSink } from '../haproxy/build-tls';
import { cipherList, tlsProtocols } from './helpers';
import { mapRegex, nginxWord, regexLiteral } from './quote';

export type { FileSink } from '../haproxy/build-tls';

const withNewline = (pem: string): string => (pem.endsWith('\n') ? pem : `${pem}\n`);

function put(sink: FileSink, path: string, content: string, secret: boolean): string {
  sink.files[path] = content;
  if (secret) sink.secrets.push(path);
  return path;
}

const DNS_NAME = /^(?:\*\.)?[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

/**
 * The names a certificate is chosen for by SNI, as haproxy takes them from a
 * crt-list line: its subject CN and DNS subject alternative names. Names that
 * are no host name (a CN of free text) cannot be an SNI value and are skipped.
 */
export function certificateNames(pem: string): string[] {
  const cert = new X509Certificate(pem);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  const sans = (cert.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  return [...new Set([...(cn ? [cn] : []), ...sans].map((n) => n.toLowerCase()))].filter((n) => DNS_NAME.test(n));
}

/**
 * One name as an nginx `server_name` word. A wildcard becomes a regular
 * expression of one label: nginx's own `*.example.com` would also take
 * `a.b.example.com`, which neither haproxy nor TLS name matching does.
 */
export function serverNameWord(name: string): string {
  if (!DNS_NAME.test(name)) throw new Error(`not a host name: ${name}`);
  if (!name.startsWith('*.')) return nginxWord(name, 'a host name');
  // nginx lowercases the requested name before it matches (names here are lowercase)
  return mapRegex(`^[^.]+${regexLiteral(name.slice(1))}$`);
}

/** One server block's certificate: its file, and the names it serves (empty for the default certificate's block). */
export interface CertBlock {
  file: string;
  names: string[];
}

/**
 * The certificate blocks of a TERMINATED_HTTPS listener: the default first
 * (the `default_server`, for every other name), then each SNI certificate
 * with the names no earlier certificate claimed (haproxy's crt-list order).
 */
export function listenerCertificates(l: Listener, sink: FileSink): CertBlock[] {
  if (l.protocol !== 'TERMINATED_HTTPS' || !l.default_tls_container_data) return [];
  const dir = `certs/listener-${l.listener_id}`;
  const certs: TlsContainer[] = [l.default_tls_container_data, ...l.sni_container_data];
  const claimed = new Set<string>();
  return certs.map((c, i) => {
    const file = put(sink, `${dir}/${i === 0 ? 'default' : `sni-${i}`}.pem`, pemBundle(c), true);
    const names = certificateNames(c.certificate).filter((n) => !claimed.has(n));
    for (const n of names) claimed.add(n);
    return { file, names: i === 0 ? [] : names };
  });
}

const VERIFY: Record<string, string | null> = { NONE: null, OPTIONAL: 'optional', MANDATORY: 'on' };

/** The TLS directives every server block of a TERMINATED_HTTPS listener shares (client auth, versions, ciphers). */
export function listenerTlsLines(l: Listener, sink: FileSink): string[] {
  const dir = `certs/listener-${l.listener_id}`;
  const out: string[] = [];
  const protocols = tlsProtocols(l.tls_versions);
  if (protocols) out.push(`ssl_protocols ${protocols};`);
  const ciphers = cipherList(l.tls_ciphers);
  if (ciphers) out.push(`ssl_ciphers ${ciphers};`);
  const verify = VERIFY[l.client_authentication];
  if (verify && l.client_ca_tls_container_data) {
    out.push(`ssl_client_certificate ${put(sink, `${dir}/client-ca.pem`, withNewline(l.client_ca_tls_container_data.trim()), false)};`);
    out.push(`ssl_verify_client ${verify};`, 'ssl_verify_depth 10;');
    if (l.client_crl_container_data) out.push(`ssl_crl ${put(sink, `${dir}/client-crl.pem`, withNewline(l.client_crl_container_data.trim()), false)};`);
  }
  return out;
}

/** Directives for TLS towards the members of `p` (`prefix` `proxy_` in both contexts); empty when the pool is plain. */
export function poolTlsLines(p: Pool, sink: FileSink): string[] {
  if (!p.tls_enabled) return [];
  // members are not verified: nginx would check a host name as well, which haproxy does not (README)
  const out = ['proxy_ssl_verify off;', 'proxy_ssl_server_name off;', 'proxy_ssl_session_reuse on;'];
  if (p.tls_container_data) {
    const file = put(sink, `certs/pool-${nginxWord(p.pool_id, 'a pool_id')}/client.pem`, pemBundle(p.tls_container_data), true);
    out.push(`proxy_ssl_certificate ${file};`, `proxy_ssl_certificate_key ${file};`);
  }
  const protocols = tlsProtocols(p.tls_versions);
  if (protocols) out.push(`proxy_ssl_protocols ${protocols};`);
  const ciphers = cipherList(p.tls_ciphers);
  if (ciphers) out.push(`proxy_ssl_ciphers ${ciphers};`);
  return out;
}
