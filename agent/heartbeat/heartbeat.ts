/**
 * The heartbeat loop: every interval, collect one message, fit it into one
 * signed datagram and send it to the next controller. Everything it touches is
 * injected (clock, timers, sockets, stats reader, counters file, logger).
 */
import { condition, type Logger } from '../log';
import { CounterStore } from './counters';
import { AppliedConfig, EngineReading, EngineStats, HeartbeatCollector, StatScope } from './collector';
import type { LvsReport } from './lvs';
import { fitDatagram } from './fit';
import { HeartbeatSender, SocketFactory, udpSocketFactory } from './sender';
import { formatTarget } from './targets';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HeartbeatDeps {
  amphoraId: string;
  heartbeatKey: string;
  /** seconds between heartbeats */
  intervalSec: number;
  targets: readonly { host: string; port: number }[];
  getApplied: () => AppliedConfig | null;
  readStats: (scope?: StatScope) => Promise<EngineStats | EngineReading | null>;
  /** UDP/SCTP listeners from keepalived's LVS (collector.ts) */
  readLvs?: () => Promise<LvsReport | null>;
  /** file keeping seq and counter baselines across restarts */
  countersFile: string;
  logger: Logger;
  now?: () => number;
  socketFactory?: SocketFactory;
  timers?: Timers;
  /** largest datagram (tests lower it) */
  maxDatagramBytes?: number;
}

export type BeatResult =
  | { sent: true; seq: number; bytes: number; target: string; omitted: string[] }
  | { sent: false; reason: 'no_config' | 'engine_down' | 'no_target' | 'too_large' | 'send_error' | 'error'; detail?: string };

/** What `GET /v1/details` shows about heartbeats. */
export interface HeartbeatStatus {
  targets: string[];
  running: boolean;
  lastSeq: number | null;
  lastSentAt: string | null;
  lastResult: string | null;
  lastError: string | null;
}

export interface Heartbeat {
  start(): void;
  /** stops the timer and waits for a beat in flight; closes the sockets */
  stop(): Promise<void>;
  /** one heartbeat now (the timer calls this) */
  beat(): Promise<BeatResult>;
  /**
   * Takes the engine's counters without sending; the next heartbeat carries
   * them. The apply step calls this just before reloading haproxy, whose new
   * process starts its counters at zero. False when there was nothing to read.
   */
  checkpoint(): Promise<boolean>;
  status(): HeartbeatStatus;
}

/** Creates the heartbeat loop; nothing runs until `start()`. */
export function createHeartbeat(deps: HeartbeatDeps): Heartbeat {
  const now = deps.now ?? Date.now;
  const timers: Timers = deps.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const log = deps.logger.child({ component: 'heartbeat' });
  const counters = new CounterStore(deps.countersFile, now, (msg, err) => log.warn(msg, { err, file: deps.countersFile }));
  const collector = new HeartbeatCollector({ amphoraId: deps.amphoraId, getApplied: deps.getApplied, readStats: deps.readStats, readLvs: deps.readLvs, counters, logger: log });
  const sender = new HeartbeatSender(deps.targets, deps.socketFactory ?? udpSocketFactory);
  const st: HeartbeatStatus = { targets: deps.targets.map(formatTarget), running: false, lastSeq: null, lastSentAt: null, lastResult: null, lastError: null };
  let timer: unknown = null;
  // bumped by start/stop so a beat finishing after a stop-start does not fork a second timer chain
  let loop = 0;
  let inFlight: Promise<unknown> | null = null;
  const trimmed = condition(log, 'warn', 'heartbeat too large for one datagram: member detail left out', 'heartbeats carry every member again');
  if (!deps.heartbeatKey) log.warn('heartbeat_key is empty: heartbeats are signed with an empty key');

  // log a skip once when it starts, not every interval
  const note = (r: BeatResult): BeatResult => {
    const word = r.sent ? 'sent' : r.reason;
    if (!r.sent && word !== st.lastResult) {
      const level = r.reason === 'no_config' || r.reason === 'engine_down' ? 'info' : 'error';
      log[level]('heartbeat not sent', { reason: r.reason, detail: r.detail });
    } else if (r.sent && st.lastResult !== 'sent') log.info('heartbeats are being sent', { target: r.target, seq: r.seq });
    if (!r.sent && r.reason !== 'no_config' && r.reason !== 'engine_down') st.lastError = `${r.reason}${r.detail ? `: ${r.detail}` : ''}`;
    st.lastResult = word;
    return r;
  };

  async function beatOnce(): Promise<BeatResult> {
    if (deps.targets.length === 0) return note({ sent: false, reason: 'no_target', detail: 'controller_ip_port_list is empty' });
    let collected;
    try {
      collected = await collector.collect();
    } catch (e) {
      return note({ sent: false, reason: 'error', detail: (e as Error).message });
    }
    if (!collected.ok) return note({ sent: false, reason: collected.skip });
    if (collected.engineRestarted) log.info('haproxy counters restarted (new process); deltas count from zero', { seq: collected.message.seq });
    const fit = await fitDatagram(collected.message, deps.heartbeatKey, deps.maxDatagramBytes);
    if (!fit.ok) return note({ sent: false, reason: 'too_large', detail: fit.message });
    // which pools lose their detail may change from beat to beat: one line when trimming starts, one when it ends
    trimmed.update(fit.omitted.length > 0, '', fit.omitted.length ? { pools: fit.omitted, bytes: fit.datagram.length } : {});
    const out = await sender.send(fit.datagram);
    if (!out) return note({ sent: false, reason: 'no_target' });
    if (out.error) return note({ sent: false, reason: 'send_error', detail: `${out.target}: ${out.error.message}` });
    st.lastSeq = fit.message.seq;
    st.lastSentAt = new Date(now()).toISOString();
    return note({ sent: true, seq: fit.message.seq, bytes: fit.datagram.length, target: out.target, omitted: fit.omitted });
  }

  // one at a time: a slow stats socket must not make two beats (or a beat and a
  // checkpoint) read the same baselines
  function serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = (inFlight ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined).finally(() => {
      if (inFlight === tail) inFlight = null;
    });
    inFlight = tail;
    return run;
  }
  const beat = () => serialized(beatOnce);
  const checkpoint = () =>
    serialized(async () => {
      try {
        return await collector.checkpoint();
      } catch (e) {
        log.warn('heartbeat checkpoint failed; traffic since the last heartbeat may be lost', { err: e });
        return false;
      }
    });

  function schedule(delayMs: number, id: number): void {
    timer = timers.setTimeout(() => {
      const started = now();
      void beat().finally(() => {
        if (st.running && id === loop) schedule(Math.max(0, deps.intervalSec * 1000 - (now() - started)), id);
      });
    }, delayMs);
  }

  return {
    start() {
      if (st.running) return;
      st.running = true;
      schedule(0, ++loop);
    },
    async stop() {
      st.running = false;
      loop++;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      if (inFlight) await inFlight;
      sender.close();
    },
    beat,
    checkpoint,
    status: () => ({ ...st, targets: [...st.targets] }),
  };
}
