/**
 * The PEM pass of validation: every certificate, key and CRL of the document
 * is parsed, and a container's key must match its certificate. It walks the
 * raw input defensively (like the cross rules), so it reports even when other
 * fields are wrong, and it parses each distinct PEM text once per call: the
 * same CA or certificate often appears on many listeners.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { isObj, IssuePath, Obj, RawIssue } from './raw';
import { Checked, checkCrl, parseCertificates, parsePrivateKey } from './pem';

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Per-call memo of parsed PEM texts. */
class PemMemo {
  private readonly certs = new Map<string, Checked<X509Certificate[]>>();
  private readonly keys = new Map<string, Checked<KeyObject>>();
  private readonly crls = new Map<string, string | null>();
  private readonly pairs = new Map<string, boolean>();

  certificates(pem: string): Checked<X509Certificate[]> {
    let r = this.certs.get(pem);
    if (!r) this.certs.set(pem, (r = parseCertificates(pem)));
    return r;
  }
  key(pem: string, passphrase: string | null): Checked<KeyObject> {
    const k = `${passphrase ?? ''}\0${pem}`;
    let r = this.keys.get(k);
    if (!r) this.keys.set(k, (r = parsePrivateKey(pem, passphrase)));
    return r;
  }
  crl(pem: string): string | null {
    let r = this.crls.get(pem);
    if (r === undefined) this.crls.set(pem, (r = checkCrl(pem)));
    return r;
  }
  matches(certPem: string, cert: X509Certificate, keyPem: string, key: KeyObject): boolean {
    const k = `${certPem}\0${keyPem}`;
    let r = this.pairs.get(k);
    if (r === undefined) this.pairs.set(k, (r = cert.checkPrivateKey(key)));
    return r;
  }
}

/** Parses every PEM value of the document; returns issues with paths from the document root. */
export function checkPemFields(doc: unknown): RawIssue[] {
  const out: RawIssue[] = [];
  if (!isObj(doc) || !isObj(doc.loadbalancer)) return out;
  const memo = new PemMemo();
  const lb = doc.loadbalancer;
  list(lb.listeners).forEach((l, i) => {
    if (!isObj(l)) return;
    const lp: IssuePath = ['loadbalancer', 'listeners', i];
    if (isObj(l.default_tls_container_data)) checkContainer(l.default_tls_container_data, [...lp, 'default_tls_container_data'], memo, out);
    list(l.sni_container_data).forEach((c, j) => {
      if (isObj(c)) checkContainer(c, [...lp, 'sni_container_data', j], memo, out);
    });
    checkCerts(l.client_ca_tls_container_data, [...lp, 'client_ca_tls_container_data'], memo, out);
    checkCrlField(l.client_crl_container_data, [...lp, 'client_crl_container_data'], memo, out);
    if (isObj(l.default_pool)) checkPool(l.default_pool, [...lp, 'default_pool'], memo, out);
  });
  list(lb.pools).forEach((p, i) => {
    if (isObj(p)) checkPool(p, ['loadbalancer', 'pools', i], memo, out);
  });
  return out;
}

function checkPool(p: Obj, pp: IssuePath, memo: PemMemo, out: RawIssue[]): void {
  if (isObj(p.tls_container_data)) checkContainer(p.tls_container_data, [...pp, 'tls_container_data'], memo, out);
  checkCerts(p.ca_tls_container_data, [...pp, 'ca_tls_container_data'], memo, out);
  checkCrlField(p.crl_container_data, [...pp, 'crl_container_data'], memo, out);
}

function checkCerts(v: unknown, path: IssuePath, memo: PemMemo, out: RawIssue[]): X509Certificate | null {
  if (typeof v !== 'string') return null;
  const r = memo.certificates(v);
  if (!r.ok) out.push({ path, message: r.message });
  return r.ok ? r.value[0] : null;
}

function checkCrlField(v: unknown, path: IssuePath, memo: PemMemo, out: RawIssue[]): void {
  if (typeof v !== 'string') return;
  const e = memo.crl(v);
  if (e) out.push({ path, message: e });
}

function checkContainer(c: Obj, cp: IssuePath, memo: PemMemo, out: RawIssue[]): void {
  const leaf = checkCerts(c.certificate, [...cp, 'certificate'], memo, out);
  list(c.intermediates).forEach((pem, k) => checkCerts(pem, [...cp, 'intermediates', k], memo, out));
  if (typeof c.private_key !== 'string') return;
  const passphrase = typeof c.passphrase === 'string' ? c.passphrase : null;
  const key = memo.key(c.private_key, passphrase);
  if (!key.ok) out.push({ path: [...cp, 'private_key'], message: key.message });
  else if (leaf && typeof c.certificate === 'string' && !memo.matches(c.certificate, leaf, c.private_key, key.value)) {
    out.push({ path: [...cp, 'private_key'], message: 'does not match the certificate' });
  }
}
