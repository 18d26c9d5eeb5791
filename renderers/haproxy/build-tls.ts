/**
 * TLS material: PEM bundles (certificate, intermediates, key) for haproxy,
 * crt-lists, CA and CRL files, and the bind/server words that name them.
 * Paths are relative to the config directory (the agent runs haproxy with
 * `-C <configdir>`), so a staged copy checks the same as the live one.
 */
import { createPrivateKey } from 'node:crypto';
import type { Listener, Pool, TlsContainer } from '../../schemas';
import { alpnList, tlsVersionWords } from './helpers';
import { haproxyWord } from '../escape';

/** Files gathered while building the view model. */
export interface FileSink {
  files: Record<string, string>;
  secrets: string[];
}

const withNewline = (pem: string): string => (pem.endsWith('\n') ? pem : `${pem}\n`);

/** The key as unencrypted PEM (haproxy cannot be given a passphrase). */
export function plainKey(c: TlsContainer): string {
  if (!c.passphrase) return withNewline(c.private_key.trim());
  const key = createPrivateKey({ key: c.private_key, format: 'pem', passphrase: c.passphrase });
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** certificate + intermediates + key, as haproxy's `crt` wants one file. */
export function pemBundle(c: TlsContainer): string {
  return [c.certificate, ...c.intermediates].map((p) => withNewline(p.trim())).join('') + plainKey(c);
}

function put(sink: FileSink, path: string, content: string, secret: boolean): string {
  sink.files[path] = content;
  if (secret) sink.secrets.push(path);
  return path;
}

const VERIFY: Record<string, string | null> = { NONE: null, OPTIONAL: 'optional', MANDATORY: 'required' };

/** Bind words of a TERMINATED_HTTPS listener; writes its certificates into `sink`. */
export function listenerBindTls(l: Listener, sink: FileSink): string[] {
  if (l.protocol !== 'TERMINATED_HTTPS' || !l.default_tls_container_data) return [];
  const dir = `certs/listener-${l.listener_id}`;
  const certs = [l.default_tls_container_data, ...l.sni_container_data];
  const paths = certs.map((c, i) => put(sink, `${dir}/${i === 0 ? 'default' : `sni-${i}`}.pem`, pemBundle(c), true));
  // the first line of a crt-list is the default certificate; the others are chosen by SNI from their CN/SANs
  const crtList = put(sink, `${dir}/crt-list.txt`, paths.map((p) => `${p}\n`).join(''), false);
  const words = ['ssl', 'crt-list', crtList];
  const verify = VERIFY[l.client_authentication];
  if (verify && l.client_ca_tls_container_data) {
    words.push('ca-file', put(sink, `${dir}/client-ca.pem`, withNewline(l.client_ca_tls_container_data.trim()), false));
    words.push('verify', verify);
    if (l.client_crl_container_data) {
      words.push('crl-file', put(sink, `${dir}/client-crl.pem`, withNewline(l.client_crl_container_data.trim()), false));
    }
  }
  words.push(...tlsVersionWords(l.tls_versions));
  if (l.tls_ciphers) words.push('ciphers', haproxyWord(l.tls_ciphers, 'tls_ciphers'));
  const alpn = alpnList(l.alpn_protocols);
  if (alpn) words.push('alpn', alpn);
  return words;
}

/** Server words for TLS towards the members of `p` (empty when the pool is plain). */
export function poolServerTls(p: Pool, sink: FileSink): string[] {
  if (!p.tls_enabled) return [];
  const dir = `certs/pool-${p.pool_id}`;
  const words = ['ssl'];
  if (p.ca_tls_container_data) {
    words.push('verify', 'required', 'ca-file', put(sink, `${dir}/ca.pem`, withNewline(p.ca_tls_container_data.trim()), false));
    if (p.crl_container_data) words.push('crl-file', put(sink, `${dir}/crl.pem`, withNewline(p.crl_container_data.trim()), false));
  } else {
    words.push('verify', 'none');
  }
  if (p.tls_container_data) words.push('crt', put(sink, `${dir}/client.pem`, pemBundle(p.tls_container_data), true));
  words.push(...tlsVersionWords(p.tls_versions));
  if (p.tls_ciphers) words.push('ciphers', haproxyWord(p.tls_ciphers, 'tls_ciphers'));
  const alpn = alpnList(p.alpn_protocols);
  if (alpn) words.push('alpn', alpn);
  // no `sni`: haproxy would then also check the member's certificate name against the client's
  // SNI, which fails for members addressed by IP; verification is the chain (and CRL) only
  return words;
}
