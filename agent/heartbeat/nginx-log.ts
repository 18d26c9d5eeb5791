/**
 * nginx's access log, received as syslog datagrams on a unix socket in the
 * run directory (renderers/nginx: `access_log syslog:server=unix:...`), turned
 * into per-listener totals for the heartbeat: bytes from and to clients,
 * connections and request errors, keyed by protocol and port (one listener
 * per port and protocol family). The totals, and the identity the heartbeat's
 * baselines name, are kept in a file when the heartbeat reads them and when
 * the agent stops, so a restarted agent goes on from them: nothing is counted
 * twice, and only what nginx logged while no agent listened is lost.
 */
import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { writeFileAtomic } from '../durable-fs';
import type { EngineIdentity, Totals } from './counters';

/** One log record's contribution. */
export interface LogRecord {
  /** `tcp/PORT` or `udp/PORT` */
  key: string;
  totals: Totals;
}

/** Request errors as haproxy counts them in `ereq`: requests nginx could not read or accept. */
const HTTP_REQUEST_ERRORS = new Set(['400', '408', '413', '414', '431', '494']);

/**
 * Parses one syslog datagram (`<PRI>Mmm dd hh:mm:ss amphora: h PORT REQ SENT NREQ STATUS`
 * for http, `... s PROTO PORT RX TX STATUS` for stream); null for anything else.
 * Connections refused by allowed_cidrs (http 444, stream 403) are not counted,
 * as haproxy rejects them before a session exists.
 */
export function parseLogDatagram(text: string): LogRecord | null {
  const msg = /amphora: (.*)$/.exec(text.trim())?.[1];
  if (!msg) return null;
  const f = msg.split(' ');
  if (f[0] === 'h' && f.length === 6) {
    const [, port, req, sent, nreq, status] = f;
    if (status === '444') return null;
    return { key: `tcp/${port}`, totals: { bin: Number(req) || 0, bout: Number(sent) || 0, stot: nreq === '1' ? 1 : 0, ereq: HTTP_REQUEST_ERRORS.has(status) ? 1 : 0 } };
  }
  if (f[0] === 's' && f.length === 6) {
    const [, proto, port, rx, tx, status] = f;
    if (status === '403') return null;
    return { key: `${proto.toLowerCase()}/${port}`, totals: { bin: Number(rx) || 0, bout: Number(tx) || 0, stot: 1, ereq: status === '400' ? 1 : 0 } };
  }
  return null;
}

interface DgramSocket {
  bind(path: string): void;
  close(): void;
  on(event: 'message', fn: (buf: Buffer) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
}

const isTotals = (v: unknown): v is Totals =>
  !!v && typeof v === 'object' && ['bin', 'bout', 'stot', 'ereq'].every((k) => Number.isSafeInteger((v as Record<string, unknown>)[k]));

/** Receives nginx's access log and keeps totals per `proto/port`. */
export class NginxLogReceiver {
  private readonly totals = new Map<string, Totals>();
  private sock: DgramSocket | null = null;
  /** the counting "process" the heartbeat's baselines belong to: this file's life, not the agent's */
  private readonly id: string;
  private readonly started: number;
  private lastAt = 0;

  /** `file` keeps the totals across agent restarts (null: in memory only). */
  constructor(private readonly file: string | null, private readonly now: () => number = Date.now) {
    let kept: { id?: unknown; started?: unknown; totals?: Record<string, unknown> } = {};
    try {
      if (file) kept = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      // none yet, or unreadable: a new identity, so the heartbeat takes these totals as new
    }
    const ok = typeof kept.id === 'string' && typeof kept.started === 'number' && kept.started <= now();
    this.id = ok ? (kept.id as string) : `nginx-log-${randomUUID()}`;
    this.started = ok ? (kept.started as number) : now();
    if (ok) for (const [k, t] of Object.entries(kept.totals ?? {})) if (isTotals(t)) this.totals.set(k, t);
  }

  /** Writes the totals (the heartbeat calls this when it reads them; the agent when it stops). */
  save(): void {
    if (!this.file) return;
    writeFileAtomic(this.file, JSON.stringify({ id: this.id, started: this.started, totals: Object.fromEntries(this.totals) }));
  }

  /** Binds the socket (a stale file from an earlier agent is replaced). */
  start(socketPath: string, onError: (e: Error) => void): void {
    fs.rmSync(socketPath, { force: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const unix = require('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };
    const s = unix.createSocket('unix_dgram');
    s.on('error', onError);
    s.on('message', (buf) => this.add(buf.toString('utf8')));
    s.bind(socketPath);
    fs.chmodSync(socketPath, 0o600);
    this.sock = s;
  }

  /** Counts one datagram (also the seam for tests). */
  add(text: string): void {
    this.lastAt = this.now();
    const r = parseLogDatagram(text);
    if (!r) return;
    const t = this.totals.get(r.key) ?? { bin: 0, bout: 0, stot: 0, ereq: 0 };
    this.totals.set(r.key, { bin: t.bin + r.totals.bin, bout: t.bout + r.totals.bout, stot: t.stot + r.totals.stot, ereq: t.ereq + r.totals.ereq });
  }

  /** The totals of `proto/port` since this receiver started (zeros when nothing came). */
  totalsOf(key: string): Totals {
    return { ...(this.totals.get(key) ?? { bin: 0, bout: 0, stot: 0, ereq: 0 }) };
  }

  /** This receiver's identity with its current uptime. */
  current(): EngineIdentity {
    return { pid: this.id, startTime: String(this.started), uptimeSec: Math.floor((this.now() - this.started) / 1000) };
  }

  /**
   * Closes the socket and keeps the totals; first waits (at most `maxWaitMs`)
   * until no datagram came for `quietMs`: nginx logs a request just after
   * answering it, so the last requests' lines may still be on their way.
   */
  async stop(quietMs = 200, maxWaitMs = 1000): Promise<void> {
    const end = this.now() + maxWaitMs;
    while (this.sock && this.now() - this.lastAt < quietMs && this.now() < end) await new Promise((r) => setTimeout(r, 20));
    this.sock?.close();
    this.sock = null;
    this.save();
  }
}
