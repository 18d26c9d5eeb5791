/**
 * The controller's heartbeat receiver: verifies, decodes and validates each
 * datagram with the shared codec, drops replays (a seq not newer than the last
 * one heard from that amphora), keeps the latest state per amphora with the
 * time it was heard, and counts every drop by reason. It never throws on input.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { decodeHeartbeat, DropReason, HeartbeatMessage } from '../schemas/heartbeat';

export const DEFAULT_HEARTBEAT_TIMEOUT_SEC = 60;

/** Per-listener sums of the deltas received since this receiver started. */
export interface ListenerTotals {
  tx: number;
  rx: number;
  totconns: number;
  ereq: number;
}

export interface AmphoraState {
  id: string;
  seq: number;
  /** ms since the epoch */
  heardAt: number;
  from: string;
  message: HeartbeatMessage;
  received: number;
  totals: Record<string, ListenerTotals>;
}

export interface AmphoraView extends AmphoraState {
  stale: boolean;
  ageSec: number;
}

export type ReceiveOutcome = { ok: true; amphora: AmphoraState } | { ok: false; reason: DropReason; detail: string; from: string };

export interface ReceiverOptions {
  key: string;
  timeoutSec?: number;
  maxInflatedBytes?: number;
  now?: () => number;
}

/** Latest heartbeat state per amphora, fed one datagram at a time. */
export class HeartbeatReceiver {
  readonly drops: Record<DropReason, number> = { truncated: 0, too_large: 0, bad_hmac: 0, bad_zlib: 0, bad_json: 0, invalid: 0, bad_version: 0, replay: 0 };
  accepted = 0;
  private readonly states = new Map<string, AmphoraState>();
  private readonly reportedStale = new Set<string>();
  private readonly now: () => number;
  readonly timeoutSec: number;

  constructor(private readonly opts: ReceiverOptions) {
    this.now = opts.now ?? Date.now;
    this.timeoutSec = opts.timeoutSec ?? DEFAULT_HEARTBEAT_TIMEOUT_SEC;
  }

  /** Handles one datagram from `from` ("ip:port"). */
  handle(datagram: Buffer, from: string): ReceiveOutcome {
    const d = decodeHeartbeat(datagram, this.opts.key, { maxInflatedBytes: this.opts.maxInflatedBytes });
    if (!d.ok) return this.drop(d.reason, d.detail, from);
    const m = d.message;
    const prev = this.states.get(m.id);
    if (prev && m.seq <= prev.seq) return this.drop('replay', `seq ${m.seq} is not newer than ${prev.seq}`, from);
    const totals: Record<string, ListenerTotals> = {};
    for (const [id, l] of Object.entries(m.listeners)) {
      const t = prev?.totals[id] ?? { tx: 0, rx: 0, totconns: 0, ereq: 0 };
      totals[id] = { tx: t.tx + l.stats.tx, rx: t.rx + l.stats.rx, totconns: t.totconns + l.stats.totconns, ereq: t.ereq + l.stats.ereq };
    }
    const state: AmphoraState = { id: m.id, seq: m.seq, heardAt: this.now(), from, message: m, received: (prev?.received ?? 0) + 1, totals };
    this.states.set(m.id, state);
    this.reportedStale.delete(m.id);
    this.accepted++;
    return { ok: true, amphora: state };
  }

  private drop(reason: DropReason, detail: string, from: string): ReceiveOutcome {
    this.drops[reason]++;
    return { ok: false, reason, detail, from };
  }

  /** Every amphora heard, with `stale` set when not heard for the timeout. */
  amphorae(): AmphoraView[] {
    const now = this.now();
    return [...this.states.values()]
      .map((s) => ({ ...s, ageSec: (now - s.heardAt) / 1000, stale: now - s.heardAt > this.timeoutSec * 1000 }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Amphorae that went stale since the last call, each reported once until heard again. */
  newlyStale(): AmphoraView[] {
    const out = this.amphorae().filter((a) => a.stale && !this.reportedStale.has(a.id));
    for (const a of out) this.reportedStale.add(a.id);
    return out;
  }

  /** One amphora, or undefined. */
  amphora(id: string): AmphoraView | undefined {
    return this.amphorae().find((a) => a.id === id);
  }
}

export interface BoundReceiver {
  address: { address: string; port: number };
  close(): Promise<void>;
}

/** Binds a UDP socket (IPv4 or IPv6 by the address) and feeds `receiver`; `onOutcome` sees every datagram. */
export function bindReceiver(receiver: HeartbeatReceiver, host: string, port: number, onOutcome?: (o: ReceiveOutcome) => void): Promise<BoundReceiver> {
  // "::" also takes IPv4 (dual stack); any other IPv6 address only IPv6
  const sock = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', ipv6Only: net.isIPv6(host) && host !== '::' });
  sock.on('message', (buf, rinfo) => {
    const from = rinfo.family === 'IPv6' ? `[${rinfo.address}]:${rinfo.port}` : `${rinfo.address}:${rinfo.port}`;
    const o = receiver.handle(buf, from);
    onOutcome?.(o);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => {
      sock.off('error', reject);
      // a socket error after binding (rare for UDP) must not take the receiver down
      sock.on('error', () => undefined);
      const a = sock.address();
      resolve({ address: { address: a.address, port: a.port }, close: () => new Promise((r) => sock.close(() => r())) });
    });
  });
}
