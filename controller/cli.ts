#!/usr/bin/env node
/**
 * `node dist/controller/cli.js receive --bind 127.0.0.1:5555 --key KEY [--json]`:
 * runs a heartbeat receiver and shows what the amphorae report, as a live
 * table on a terminal or as JSON lines (one per datagram) for scripts.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { bindReceiver, DEFAULT_HEARTBEAT_TIMEOUT_SEC, HeartbeatReceiver, ReceiveOutcome } from './receiver';
import { renderTable } from './table';

export const USAGE = `usage: cli.js receive --bind HOST:PORT (--key KEY | --key-file FILE) [--json] [--timeout SECONDS]

Receives amphora heartbeats (Octavia health message version 3) on UDP and shows them.
  --bind HOST:PORT   address to listen on; IPv6 as [addr]:port
  --key KEY          heartbeat_key shared with the agents (visible in ps: prefer --key-file)
  --key-file FILE    read the key from FILE (trailing newline ignored)
  --json             JSON lines instead of the table: one per datagram (heartbeat or drop)
                     and one when an amphora goes stale
  --timeout SECONDS  an amphora not heard for this long is shown STALE (default ${DEFAULT_HEARTBEAT_TIMEOUT_SEC})
  --help             this text
`;

export interface CliOptions {
  host: string;
  port: number;
  key: string;
  json: boolean;
  timeoutSec: number;
}

/** Parses the arguments after the command name; throws an Error with a one-line message. */
export function parseArgs(argv: string[], readFile: (p: string) => string = (p) => fs.readFileSync(p, 'utf8')): CliOptions | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const [command, ...rest] = argv;
  if (command !== 'receive') throw new Error(command ? `unknown command "${command}"` : 'a command is required');
  let bind: string | undefined;
  let key: string | undefined;
  let json = false;
  let timeoutSec = DEFAULT_HEARTBEAT_TIMEOUT_SEC;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--bind') bind = value();
    else if (a === '--key') key = value();
    else if (a === '--key-file') key = readFile(value()).replace(/\r?\n$/, '');
    else if (a === '--json') json = true;
    else if (a === '--timeout') {
      timeoutSec = Number(value());
      if (!(timeoutSec > 0)) throw new Error('--timeout must be a positive number of seconds');
    } else throw new Error(`unknown option "${a}"`);
  }
  if (!bind) throw new Error('--bind HOST:PORT is required');
  if (key === undefined) throw new Error('--key or --key-file is required');
  const at = bind.lastIndexOf(':');
  let host = at > 0 ? bind.slice(0, at) : '';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(bind.slice(at + 1));
  if (!net.isIP(host) || !/^\d+$/.test(bind.slice(at + 1)) || port > 65535) throw new Error(`--bind "${bind}" is not IP:PORT`);
  return { host, port, key, json, timeoutSec };
}

function jsonLine(o: ReceiveOutcome): string {
  if (o.ok) return JSON.stringify({ event: 'heartbeat', time: new Date(o.amphora.heardAt).toISOString(), from: o.amphora.from, message: o.amphora.message });
  return JSON.stringify({ event: 'drop', time: new Date().toISOString(), from: o.from, reason: o.reason, detail: o.detail });
}

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  /** resolves when the receiver should stop (SIGINT/SIGTERM in the real CLI) */
  stopped: Promise<unknown>;
  /** the bound address, once listening (tests) */
  onListening?: (address: { address: string; port: number }) => void;
}

/** Runs the CLI with injected streams; resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let opts: CliOptions | 'help';
  try {
    opts = parseArgs(argv);
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const o = opts;
  const receiver = new HeartbeatReceiver({ key: o.key, timeoutSec: o.timeoutSec });
  const tty = !!io.stdout.isTTY && !o.json;
  let dirty = true;
  const bound = await bindReceiver(receiver, o.host, o.port, (out) => {
    if (o.json) io.stdout.write(jsonLine(out) + '\n');
    dirty = true;
  });
  io.stderr.write(`listening on ${net.isIPv6(bound.address.address) ? `[${bound.address.address}]` : bound.address.address}:${bound.address.port}\n`);
  io.onListening?.(bound.address);
  const draw = () => {
    if (o.json) {
      for (const a of receiver.newlyStale()) io.stdout.write(JSON.stringify({ event: 'stale', time: new Date().toISOString(), id: a.id, last_heard: new Date(a.heardAt).toISOString(), seq: a.seq }) + '\n');
      return;
    }
    if (!dirty) return;
    // on a terminal, redraw every second so ages and STALE move; elsewhere print only on news
    dirty = tty;
    io.stdout.write((tty ? '\x1b[H\x1b[2J' : '') + renderTable(receiver.amphorae(), receiver.accepted, receiver.drops) + (tty ? '' : '\n'));
  };
  const timer = setInterval(draw, 1000);
  await io.stopped;
  clearInterval(timer);
  draw();
  await bound.close();
  return 0;
}

if (require.main === module) {
  const stopped = new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stopped }).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
