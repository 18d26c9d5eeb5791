/**
 * Certificates for labs and tests, made with the `openssl` binary: a CA, an
 * agent certificate whose subject is the amphora id and whose names are its
 * addresses (written as one PEM with its key, as `agent_server_cert` wants),
 * and a controller client certificate. Keys are EC P-256 and written 0600.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from './errors';

/** Runs openssl with `args` in `cwd`; throws with openssl's own words. */
export type OpensslRunner = (args: string[], cwd: string) => void;

const defaultRunner: OpensslRunner = (args, cwd) => {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string; code?: string };
    if (err.code === 'ENOENT') throw new Error('the openssl binary is needed to make certificates (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
};

export interface CertOptions {
  dir: string;
  days: number;
  /** overwrite existing files */
  force?: boolean;
  run?: OpensslRunner;
}

/** The files of the CA in `dir`. */
export const caFiles = (dir: string) => ({ cert: path.resolve(dir, 'ca.pem'), key: path.resolve(dir, 'ca.key') });

// a name for a file: the amphora id or a client name, kept to a safe alphabet
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function guard(files: string[], force?: boolean): void {
  const there = files.filter((f) => fs.existsSync(f));
  if (there.length && !force) throw new UsageError(`${there.join(', ')} already exist(s); pass --force to replace`);
}

function inTemp<T>(fn: (tmp: string) => T): T {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'amphora-ctl-certs-'));
  try {
    return fn(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Makes `ca.pem` and `ca.key` in `o.dir`. */
export function initCa(o: CertOptions & { name: string }): { cert: string; key: string } {
  const run = o.run ?? defaultRunner;
  const f = caFiles(o.dir);
  guard([f.cert, f.key], o.force);
  fs.mkdirSync(o.dir, { recursive: true });
  inTemp((tmp) => {
    run(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', String(o.days), '-subj', `/CN=${o.name.replace(/[/\\=]/g, '_')}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], tmp);
    fs.copyFileSync(path.join(tmp, 'ca.pem'), f.cert);
    fs.copyFileSync(path.join(tmp, 'ca.key'), f.key);
    fs.chmodSync(f.key, 0o600);
  });
  return f;
}

/** Signs a leaf for `cn` with the CA in `dir`; returns its certificate and key PEM. */
function leaf(o: CertOptions, cn: string, ext: string): { cert: string; key: string } {
  const run = o.run ?? defaultRunner;
  const ca = caFiles(o.dir);
  if (!fs.existsSync(ca.cert) || !fs.existsSync(ca.key)) throw new UsageError(`no CA in ${o.dir}: run \`amphora-ctl certs init --dir ${o.dir}\` first`);
  return inTemp((tmp) => {
    fs.writeFileSync(path.join(tmp, 'leaf.ext'), ext);
    run(['req', ...EC, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${cn}`], tmp);
    run(['x509', '-req', '-in', 'leaf.csr', '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-CAserial', path.join(tmp, 'ca.srl'), '-out', 'leaf.pem', '-days', String(o.days), '-extfile', 'leaf.ext'], tmp);
    return { cert: fs.readFileSync(path.join(tmp, 'leaf.pem'), 'utf8'), key: fs.readFileSync(path.join(tmp, 'leaf.key'), 'utf8') };
  });
}

/**
 * An agent certificate: CN and a DNS name are the amphora id, the addresses
 * are IP (or DNS) names; written as `agent-<id>.pem`, certificate then key.
 */
export function issueAgent(o: CertOptions & { amphoraId: string; addresses: string[]; out?: string }): string {
  if (!SAFE_NAME.test(o.amphoraId)) throw new UsageError(`amphora id "${o.amphoraId}" must be letters, digits, ".", "_" or "-"`);
  if (!o.addresses.length) throw new UsageError('an agent certificate needs at least one --address (the IP the controller connects to)');
  const names = [`DNS:${o.amphoraId}`];
  for (const a of o.addresses) {
    if (net.isIP(a)) names.push(`IP:${a}`);
    else if (/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(a)) names.push(`DNS:${a}`);
    else throw new UsageError(`address "${a}" is neither an IP address nor a host name`);
  }
  const out = o.out ?? path.join(o.dir, `agent-${o.amphoraId}.pem`);
  guard([out], o.force);
  const l = leaf(o, o.amphoraId, `subjectAltName=${names.join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n`);
  fs.writeFileSync(out, l.cert + l.key, { mode: 0o600 });
  fs.chmodSync(out, 0o600);
  return out;
}

/** A controller client certificate: `<name>.pem` and `<name>.key`. */
export function issueClient(o: CertOptions & { name: string }): { cert: string; key: string } {
  if (!SAFE_NAME.test(o.name)) throw new UsageError(`client name "${o.name}" must be letters, digits, ".", "_" or "-"`);
  const files = { cert: path.join(o.dir, `${o.name}.pem`), key: path.join(o.dir, `${o.name}.key`) };
  guard([files.cert, files.key], o.force);
  const l = leaf(o, o.name, 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n');
  fs.writeFileSync(files.cert, l.cert);
  fs.writeFileSync(files.key, l.key, { mode: 0o600 });
  fs.chmodSync(files.key, 0o600);
  return files;
}
