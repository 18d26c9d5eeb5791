/**
 * PEM checks: certificates and keys are parsed by OpenSSL (node:crypto), CRLs
 * by a DER walk of their outer structure, and nothing but PEM blocks and
 * whitespace may sit in the text (it is written to files verbatim).
 */
import { KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';

export interface PemBlock {
  label: string;
  text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n((?:[A-Za-z0-9-]{1,40}: [\x20-\x7e]{0,200}\r?\n)*(?:\r?\n)?(?:[A-Za-z0-9+/=]{1,100}\r?\n)+)-----END \1-----/g;

/** Splits a PEM string into its blocks, or returns null when anything outside blocks is not whitespace. */
export function pemBlocks(pem: string): PemBlock[] | null {
  const blocks: PemBlock[] = [];
  let end = 0;
  for (const m of pem.matchAll(BLOCK)) {
    if (!/^\s*$/.test(pem.slice(end, m.index))) return null;
    blocks.push({ label: m[1], text: m[0] + '\n' });
    end = m.index + m[0].length;
  }
  if (blocks.length === 0 || !/^\s*$/.test(pem.slice(end))) return null;
  return blocks;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };
const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

/** Parses one or more X.509 certificates and nothing else; the first is the leaf. */
export function parseCertificates(pem: string): Checked<X509Certificate[]> {
  const blocks = pemBlocks(pem);
  if (!blocks) return fail('is not a PEM certificate');
  const certs: X509Certificate[] = [];
  for (const b of blocks) {
    if (b.label !== 'CERTIFICATE') return fail(`holds a PEM block "${b.label}" where only certificates belong`);
    try {
      certs.push(new X509Certificate(b.text));
    } catch {
      return fail('holds a certificate that does not parse');
    }
  }
  return { ok: true, value: certs };
}

/** Opens one PEM private key (with `passphrase` when it is encrypted). */
export function parsePrivateKey(pem: string, passphrase?: string | null): Checked<KeyObject> {
  const blocks = pemBlocks(pem);
  if (!blocks || blocks.length !== 1 || !/PRIVATE KEY$/.test(blocks[0].label)) return fail('is not one PEM private key');
  try {
    return { ok: true, value: createPrivateKey({ key: blocks[0].text, format: 'pem', passphrase: passphrase ?? undefined }) };
  } catch {
    return fail(passphrase ? 'does not open with the given passphrase' : 'does not parse as a private key (or needs a passphrase)');
  }
}

/** Returns an error sentence, or null when `pem` holds one or more X.509 CRLs whose DER has a CertificateList's shape. */
export function checkCrl(pem: string): string | null {
  const blocks = pemBlocks(pem);
  if (!blocks) return 'is not a PEM CRL';
  for (const b of blocks) {
    if (b.label !== 'X509 CRL') return `holds a PEM block "${b.label}" where only X509 CRLs belong`;
    const body = b.text.split(/\r?\n/).filter((l) => /^[A-Za-z0-9+/=]+$/.test(l)).join('');
    if (!isCertificateList(Buffer.from(body, 'base64'))) return 'holds a CRL that is not a DER CertificateList';
  }
  return null;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** Reads one DER TLV at `pos` (definite lengths only, as DER requires). */
function readTlv(der: Buffer, pos: number, limit: number): Tlv | null {
  if (pos + 2 > limit) return null;
  const tag = der[pos];
  let len = der[pos + 1];
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  return start + len <= limit ? { tag, start, end: start + len } : null;
}

function children(der: Buffer, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const t = readTlv(der, pos, parent.end);
    if (!t) return null;
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** RFC 5280: SEQUENCE { tbsCertList SEQUENCE { [version] sig issuer thisUpdate ... }, algorithm SEQUENCE, signature BIT STRING }. */
function isCertificateList(der: Buffer): boolean {
  const outer = readTlv(der, 0, der.length);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) return false;
  const top = children(der, outer);
  if (!top || top.length !== 3 || top[0].tag !== 0x30 || top[1].tag !== 0x30 || top[2].tag !== 0x03) return false;
  const tbs = children(der, top[0]);
  if (!tbs) return false;
  const rest = tbs[0]?.tag === 0x02 ? tbs.slice(1) : tbs;
  return rest.length >= 3 && rest[0].tag === 0x30 && rest[1].tag === 0x30 && (rest[2].tag === 0x17 || rest[2].tag === 0x18);
}
