/** Test PKI made with the `openssl` binary: CAs, server and client certificates, an encrypted key, a CRL. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Issued {
  cert: string;
  key: string;
}

export class TestPki {
  constructor(readonly dir: string) {}

  private run(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }

  private read(f: string): string {
    return fs.readFileSync(path.join(this.dir, f), 'utf8');
  }

  /** A self-signed CA named `name` (files NAME.crt, NAME.key). */
  ca(name: string): Issued {
    this.run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    return { cert: this.read(`${name}.crt`), key: this.read(`${name}.key`) };
  }

  /** A leaf certificate for CN `cn` (and SAN DNS/IP), signed by CA `ca`. */
  leaf(ca: string, name: string, cn: string, san: string, usage: 'serverAuth' | 'clientAuth' = 'serverAuth'): Issued {
    fs.writeFileSync(path.join(this.dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
    this.run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}/OU=tests`]);
    this.run(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
    return { cert: this.read(`${name}.crt`), key: this.read(`${name}.key`) };
  }

  /** `name`'s key encrypted with `passphrase` (PKCS#8, AES-256). */
  encryptedKey(name: string, passphrase: string): string {
    this.run(['pkey', '-in', `${name}.key`, '-aes256', '-passout', `pass:${passphrase}`, '-out', `${name}.enc.key`]);
    return this.read(`${name}.enc.key`);
  }

  /** A CRL of CA `ca` revoking the certificates `revoked` (file names without .crt). */
  crl(ca: string, revoked: string[]): string {
    const d = path.join(this.dir, `${ca}-db`);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'index.txt'), '');
    fs.writeFileSync(path.join(d, 'crlnumber'), '01\n');
    const cnf = path.join(d, 'ca.cnf');
    fs.writeFileSync(cnf, `[ca]\ndefault_ca=c\n[c]\ndatabase=${d}/index.txt\ncrlnumber=${d}/crlnumber\ndefault_md=sha256\ndefault_crl_days=2\n`);
    for (const r of revoked) this.run(['ca', '-config', cnf, '-keyfile', `${ca}.key`, '-cert', `${ca}.crt`, '-revoke', `${r}.crt`]);
    this.run(['ca', '-config', cnf, '-keyfile', `${ca}.key`, '-cert', `${ca}.crt`, '-gencrl', '-out', `${ca}.crl`]);
    return this.read(`${ca}.crl`);
  }
}
