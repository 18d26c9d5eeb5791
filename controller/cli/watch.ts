/**
 * `amphora-ctl watch --bind HOST:PORT --key-file F`: the heartbeat receiver's
 * live table on a terminal, JSON lines with --json, and with --state-file the
 * latest state per amphora kept in a file that `migrate --watch-state` reads.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../errors';
import { watchState, writeWatchState } from '../heartbeat-source';
import { bindReceiver, DEFAULT_HEARTBEAT_TIMEOUT_SEC, HeartbeatReceiver, type ReceiveOutcome } from '../receiver';
import { renderTable } from '../table';
import { EXIT, seconds, type CliIo } from './common';

/** `IP:PORT` or `[IPv6]:PORT` to host and port (commander option parser). */
export function parseBind(bind: string): { host: string; port: number } {
  const at = bind.lastIndexOf(':');
  let host = at > 0 ? bind.slice(0, at) : '';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = bind.slice(at + 1);
  if (!net.isIP(host) || !/^\d+$/.test(port) || Number(port) > 65535) throw new InvalidArgumentError(`"${bind}" is not IP:PORT ([IPv6]:PORT)`);
  return { host, port: Number(port) };
}

/** The heartbeat key from --key or --key-file (one trailing newline dropped). */
export function heartbeatKey(o: { key?: string; keyFile?: string }, flag = '--key'): string {
  if (o.keyFile !== undefined) {
    try {
      return fs.readFileSync(o.keyFile, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new UsageError(`cannot read ${flag}-file ${o.keyFile}: ${(e as Error).message}`);
    }
  }
  if (o.key === undefined) throw new UsageError(`the heartbeat key is needed: ${flag}-file FILE (or ${flag} KEY)`);
  return o.key;
}

interface WatchOpts {
  bind: { host: string; port: number };
  key?: string;
  keyFile?: string;
  json?: boolean;
  timeout: number;
  stateFile?: string;
}

/** Registers `watch`. */
export function registerWatch(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command('watch')
    .summary('receive heartbeats and show what the amphorae report')
    .description(
      'Receives amphora heartbeats (Octavia health message version 3, HMAC-SHA256 signed) on UDP and shows them: a live ' +
        'table on a terminal (amphorae, listeners with totals, pools, members, drops), or with --json one line per datagram ' +
        '(heartbeat or drop) and one when an amphora goes stale. Runs until SIGINT or SIGTERM, then exits 0.',
    )
    .requiredOption('--bind <host:port>', 'UDP address to listen on; IPv6 as [addr]:port', parseBind)
    .option('--key-file <file>', 'file holding the heartbeat_key shared with the agents')
    .option('--key <key>', 'the key itself (visible in ps: prefer --key-file)')
    .option('--json', 'JSON lines instead of the table')
    .option('--timeout <seconds>', 'an amphora not heard for this long is STALE', seconds, DEFAULT_HEARTBEAT_TIMEOUT_SEC)
    .option('--state-file <file>', 'keep the latest heartbeat per amphora in this JSON file (rewritten every second), for `migrate --watch-state`')
    .action(async (o: WatchOpts) => done(await runWatch(o, io)));
}

function jsonLine(o: ReceiveOutcome): string {
  if (o.ok) return JSON.stringify({ event: 'heartbeat', time: new Date(o.amphora.heardAt).toISOString(), from: o.amphora.from, message: o.amphora.message });
  return JSON.stringify({ event: 'drop', time: new Date().toISOString(), from: o.from, reason: o.reason, detail: o.detail });
}

async function runWatch(o: WatchOpts, io: CliIo): Promise<number> {
  const receiver = new HeartbeatReceiver({ key: heartbeatKey(o), timeoutSec: o.timeout });
  const tty = !!io.stdout.isTTY && !o.json;
  let dirty = true;
  const bound = await bindReceiver(receiver, o.bind.host, o.bind.port, (out) => {
    if (o.json) io.stdout.write(jsonLine(out) + '\n');
    dirty = true;
  });
  const a = bound.address;
  io.stderr.write(`listening on ${net.isIPv6(a.address) ? `[${a.address}]` : a.address}:${a.port}\n`);
  io.onListening?.(a);
  const tick = () => {
    if (o.stateFile) writeWatchState(o.stateFile, watchState(receiver, Date.now()));
    if (o.json) {
      for (const s of receiver.newlyStale()) io.stdout.write(JSON.stringify({ event: 'stale', time: new Date().toISOString(), id: s.id, last_heard: new Date(s.heardAt).toISOString(), seq: s.seq }) + '\n');
      return;
    }
    if (!dirty) return;
    // on a terminal, redraw every second so ages and STALE move; elsewhere print only on news
    dirty = tty;
    io.stdout.write((tty ? '\x1b[H\x1b[2J' : '') + renderTable(receiver.amphorae(), receiver.accepted, receiver.drops) + (tty ? '' : '\n'));
  };
  tick();
  const timer = setInterval(tick, 1000);
  await io.stopped;
  clearInterval(timer);
  tick();
  await bound.close();
  return EXIT.OK;
}
