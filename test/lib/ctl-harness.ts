/**
 * Helpers of the controller's integration tests: `amphora-ctl` run in this
 * process with captured output, and a lab PKI made by `amphora-ctl certs`
 * itself in the shape the agent harness (agent-harness.ts) starts agents with.
 */
import * as path from 'node:path';
import { runCtl } from '../../controller/cli';
import type { Certs } from './agent-harness';

export interface CtlRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `amphora-ctl ARGV` in this process; resolves with its exit code and output. */
export async function ctl(argv: string[], stopped: Promise<unknown> = Promise.resolve()): Promise<CtlRun> {
  let out = '';
  let err = '';
  const code = await runCtl(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stopped, env: {} });
  return { code, out, err };
}

/** Like `ctl`, and fails with the output when the exit code is not `want`. */
export async function ctlOk(argv: string[], want = 0): Promise<CtlRun> {
  const r = await ctl(argv);
  if (r.code !== want) throw new Error(`amphora-ctl ${argv.join(' ')} exited ${r.code}, not ${want}:\n${r.out}\n${r.err}`);
  return r;
}

/** A CA and a controller certificate made by `amphora-ctl certs init` and `certs client` in `dir`. */
export async function labPki(dir: string): Promise<{ dir: string; ca: string; controllerCert: string; controllerKey: string }> {
  await ctlOk(['certs', 'init', '--dir', dir, '--days', '2']);
  await ctlOk(['certs', 'client', '--dir', dir, '--days', '2']);
  return { dir, ca: path.join(dir, 'ca.pem'), controllerCert: path.join(dir, 'controller.pem'), controllerKey: path.join(dir, 'controller.key') };
}

/** An agent certificate from `amphora-ctl certs agent`, as the Certs the agent harness wants (no rogue client: unused here). */
export async function agentCerts(pki: Awaited<ReturnType<typeof labPki>>, amphoraId: string, ip: string): Promise<Certs> {
  await ctlOk(['certs', 'agent', '--dir', pki.dir, '--days', '2', '--amphora-id', amphoraId, '--address', ip]);
  const none = path.join(pki.dir, 'none');
  return { dir: pki.dir, ca: pki.ca, agent: path.join(pki.dir, `agent-${amphoraId}.pem`), controllerCert: pki.controllerCert, controllerKey: pki.controllerKey, rogueCert: none, rogueKey: none };
}

/** The --certs-dir arguments for a lab PKI. */
export const certsArgs = (pki: { dir: string }) => ['--certs-dir', pki.dir];
