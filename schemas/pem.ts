/** PEM checks: certificates, keys and CRLs are parsed, not just pattern-matched. */
import { X509Certificate, createPrivateKey } from 'node:crypto';

const BLOCK = /-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n((?:[A-Za-z0-9-]{1,40}: [\x20-\x7e]{0,200}\r?\n)*(?:\r?\n)?(?:[A-Za-z0-9+/=]{1,100}\r?\n)+)-----END \1-----/g;

/** Splits a PEM string into its blocks, or returns null when anything outside blocks is not whitespace. */
export function pemBlocks(pem: string): { label: string; text: string }[] | null {
  const blocks: { label: string; text: string }[] = [];
  let rest = pem;
  BLOCK.lastIndex = 0;
  for (let m = BLOCK.exec(pem); m; m = BLOCK.exec(pem)) {
    blocks.push({ label: m[1], text: m[0] + '\n' });
    rest = rest.replace(m[0], '');
  }
  if (blocks.length === 0 || !/^\s*$/.test(rest)) return null;
  return blocks;
}

/** Returns an error sentence, or null when `pem` holds one or more parseable X.509 certificates and nothing else. */
export function checkCertificates(pem: string): string | null {
  const blocks = pemBlocks(pem);
  if (!blocks) return 'is not a PEM certificate';
  for (const b of blocks) {
    if (b.label !== 'CERTIFICATE') return `holds a PEM block "${b.label}" where only certificates belong`;
    try {
      new X509Certificate(b.text);
    } catch {
      return 'holds a certificate that does not parse';
    }
  }
  return null;
}

/** Returns an error sentence, or null when `pem` is one private key that opens (with `passphrase` if encrypted). */
export function checkPrivateKey(pem: string, passphrase?: string | null): string | null {
  const blocks = pemBlocks(pem);
  if (!blocks || blocks.length !== 1 || !/PRIVATE KEY$/.test(blocks[0].label)) return 'is not one PEM private key';
  try {
    createPrivateKey({ key: blocks[0].text, format: 'pem', passphrase: passphrase ?? undefined });
  } catch {
    return passphrase ? 'does not open with the given passphrase' : 'does not parse as a private key (or needs a passphrase)';
  }
  return null;
}

/** Returns an error sentence, or null when `pem` holds one or more X.509 CRL blocks whose body is DER. */
export function checkCrl(pem: string): string | null {
  const blocks = pemBlocks(pem);
  if (!blocks) return 'is not a PEM CRL';
  for (const b of blocks) {
    if (b.label !== 'X509 CRL') return `holds a PEM block "${b.label}" where only X509 CRLs belong`;
    const body = b.text.replace(/-----[^-]+-----/g, '').replace(/^[A-Za-z0-9-]+: .*$/gm, '').replace(/\s+/g, '');
    const der = Buffer.from(body, 'base64');
    if (der.length < 16 || der[0] !== 0x30) return 'holds a CRL that is not DER-encoded';
  }
  return null;
}
