/**
 * Test-only: a throw-away PKI made with the openssl CLI (a CA, a leaf with its
 * key, the same key encrypted two ways, a key of another pair, and a CRL), so
 * the PEM checks are exercised on what real tools write.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestPki {
  caCert: string;
  leafCert: string;
  leafKey: string;
  /** PKCS#8 `ENCRYPTED PRIVATE KEY` of leafKey */
  leafKeyPkcs8Encrypted: string;
  /** traditional `EC PRIVATE KEY` with `Proc-Type: 4,ENCRYPTED` headers */
  leafKeyTraditionalEncrypted: string;
  passphrase: string;
  otherKey: string;
  crl: string;
}

/** Creates the PKI in a temporary directory (removed before returning). */
export function makeTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemas-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  const passphrase = 'correct horse';
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=Schema Test CA', '-days', '30');
    run('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=www.example.test');
    run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '2', '-days', '30', '-out', 'leaf.crt');
    run('pkcs8', '-topk8', '-in', 'leaf.key', '-out', 'leaf.p8', '-v2', 'aes-256-cbc', '-passout', `pass:${passphrase}`);
    run('pkey', '-in', 'leaf.key', '-traditional', '-aes256', '-passout', `pass:${passphrase}`, '-out', 'leaf.trad');
    run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key');
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'crlnumber'), '01\n');
    fs.writeFileSync(
      path.join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n',
    );
    run('ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-out', 'crl.pem');
    return {
      caCert: read('ca.crt'),
      leafCert: read('leaf.crt'),
      leafKey: read('leaf.key'),
      leafKeyPkcs8Encrypted: read('leaf.p8'),
      leafKeyTraditionalEncrypted: read('leaf.trad'),
      passphrase,
      otherKey: read('other.key'),
      crl: read('crl.pem'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
