/**
 * What the commands of `amphora-ctl` share: the injected streams, the exit
 * codes, the TLS identity and agent-list options, reading a document.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { Command, InvalidArgumentError, Option } from 'commander';
import { validateDocument, type ValidationResult } from '../../schemas/validate';
import { AgentClient, parseAgentUrl, type TlsIdentity } from '../agent-client';
import { UsageError } from '../errors';

/** Exit codes, the same for every command (README "amphora-ctl"). */
export const EXIT = {
  /** everything asked for happened */
  OK: 0,
  /** an agent or the document said no: invalid, refused, not serving, cannot serve, blocked, timed out */
  FAILED: 1,
  /** bad arguments or an unreadable input file */
  USAGE: 2,
  /** no agent refused, but one could not be reached (network, TLS) */
  UNREACHABLE: 3,
} as const;

export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: Out;
  /** progress bars and messages; a real stream in the CLI (cli-progress draws on it) */
  stderr: Out;
  /** resolves when a long-running command should stop (SIGINT/SIGTERM in the real CLI) */
  stopped: Promise<unknown>;
  env: NodeJS.ProcessEnv;
  /** a receiver's bound address, once listening (tests) */
  onListening?: (address: { address: string; port: number }) => void;
}

/** A command's result: the exit code. */
export type Run = (io: CliIo) => Promise<number>;

/** Parses a positive number of seconds (commander option parser). */
export function seconds(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

/** Parses a positive integer (commander option parser). */
export function positiveInt(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('must be a positive integer');
  return Number(v);
}

/** Collects a repeatable option's values. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export interface IdentityOptions {
  certsDir?: string;
  ca?: string;
  cert?: string;
  key?: string;
  requestTimeout: number;
}

/** Adds --certs-dir/--ca/--cert/--key (with AMPHORA_CTL_* variables) and --request-timeout. */
export function withIdentity(cmd: Command): Command {
  return cmd
    .addOption(new Option('--certs-dir <dir>', 'ca.pem, controller.pem and controller.key from `certs init`/`certs client`').env('AMPHORA_CTL_CERTS_DIR'))
    .addOption(new Option('--ca <file>', 'PEM of the CA that signed the agents\' certificates').env('AMPHORA_CTL_CA'))
    .addOption(new Option('--cert <file>', 'PEM of this controller\'s client certificate').env('AMPHORA_CTL_CERT'))
    .addOption(new Option('--key <file>', 'PEM of its private key').env('AMPHORA_CTL_KEY'))
    .addOption(new Option('--request-timeout <seconds>', 'give up on an agent that has not answered').argParser(seconds).default(60));
}

/** Reads the TLS identity the options name; --ca/--cert/--key override the files of --certs-dir. */
export function loadIdentity(o: IdentityOptions): TlsIdentity {
  const pick = (explicit: string | undefined, name: string, what: string): string => {
    const f = explicit ?? (o.certsDir ? path.join(o.certsDir, name) : undefined);
    if (!f) throw new UsageError(`${what} is needed: --${what} FILE or --certs-dir DIR`);
    try {
      return fs.readFileSync(f, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read --${what} ${f}: ${(e as Error).message}`);
    }
  };
  const id = { ca: pick(o.ca, 'ca.pem', 'ca'), cert: pick(o.cert, 'controller.pem', 'cert'), key: pick(o.key, 'controller.key', 'key') };
  try {
    // fails here, once, rather than on every agent: a key that is not the certificate's, a file that is not PEM
    tls.createSecureContext(id);
  } catch (e) {
    throw new UsageError(`the TLS identity (--ca, --cert, --key) is unusable: ${(e as Error).message}`);
  }
  return id;
}

/** The agents of --agent URL... and --agents FILE (one URL a line, `#` comments), each checked. */
export function agentUrls(o: { agent?: string[]; agents?: string }): string[] {
  const urls = [...(o.agent ?? [])];
  if (o.agents) {
    let text: string;
    try {
      text = fs.readFileSync(o.agents, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read --agents ${o.agents}: ${(e as Error).message}`);
    }
    text.split('\n').forEach((line, i) => {
      const l = line.replace(/#.*/, '').trim();
      if (!l) return;
      try {
        parseAgentUrl(l);
      } catch (e) {
        throw new UsageError(`${o.agents}:${i + 1}: ${(e as Error).message}`);
      }
      urls.push(l);
    });
  }
  for (const u of urls) parseAgentUrl(u);
  if (!urls.length) throw new UsageError('no agent given: --agent URL (repeatable) or --agents FILE');
  return urls;
}

/** Clients of the given agents. */
export function clients(urls: string[], o: IdentityOptions): AgentClient[] {
  const id = loadIdentity(o);
  return urls.map((u) => AgentClient.fromUrl(u, id, o.requestTimeout * 1000));
}

/** A document file: its JSON as sent, and the offline validation result. */
export function readDocument(file: string): { raw: unknown; result: ValidationResult } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read the document ${file}: ${(e as Error).message}`);
  }
  return { raw, result: validateDocument(raw) };
}

/** Writes `v` as one JSON line. */
export function printJson(io: CliIo, v: unknown): void {
  io.stdout.write(JSON.stringify(v, null, 2) + '\n');
}
