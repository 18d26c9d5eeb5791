/**
 * Builds one heartbeat message (contract section 4) from the applied document
 * and the engine's `show stat` / `show info`; computes deltas and the next seq
 * through the counter store. No sockets: the sender sends what this returns.
 */
import type { ServePlan } from '../../renderers/types';
import type { HeartbeatMessage, ListenerStatus, MemberStatus, PoolStatus } from '../../schemas/heartbeat/message';
import { HEARTBEAT_VERSION } from '../../schemas/heartbeat/version';
import { condition, type Condition, type Logger } from '../log';
import { addTotals, computeDeltas, CounterState, CounterStore, EngineIdentity, Totals } from './counters';
import { counter, parseShowInfo, statRows, StatRow } from '../engines/haproxy-csv';
import { listenerStatus, memberStatus, poolStatus } from './status-map';
import type { LvsReport } from './lvs';

/** The `show stat` columns a heartbeat reads (statuses, counters): a tenth of them, parsed for every member at every beat. */
const STAT_COLUMNS = ['pxname', 'svname', 'status', 'weight', 'scur', 'slim', 'bin', 'bout', 'stot', 'ereq'] as const;

/** Rows parsed between two turns of the event loop: a beat over tens of thousands of members never holds up the API for long. */
const ROWS_PER_TURN = 2000;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface AppliedConfig {
  generation: number;
  configHash: string;
  /** what the engine serves with the applied files (the renderer's plan) */
  serves: ServePlan;
}

/**
 * How much of the engine's stats a reading needs: `frontends` is the
 * checkpoint's, just before a reload of an engine the apply has just seen
 * running (the listeners' rows are enough).
 */
export type StatScope = 'frontends';

/** haproxy's answers, read by the collector itself. */
export interface EngineStats {
  showStat: string;
  showInfo: string;
}

/**
 * What an engine reports, already in the heartbeat's words (nginx's reader
 * builds it from its access log, the agent's monitors and /proc/net):
 * listeners by id, pools by `POOL_ID:LISTENER_ID`, absolute counters of one
 * counting process (`engine`).
 */
export interface EngineReading {
  engine: EngineIdentity;
  listeners: Map<string, { status: ListenerStatus; conns: number }>;
  pools: Map<string, { status: PoolStatus; members: Record<string, MemberStatus> }>;
  totals: Record<string, Totals>;
}

export interface CollectorDeps {
  amphoraId: string;
  getApplied: () => AppliedConfig | null;
  /** null when the engine is not running; haproxy's raw answers (`frontends`: the listeners' rows are enough) or a reading in the heartbeat's words */
  readStats: (scope?: StatScope) => Promise<EngineStats | EngineReading | null>;
  counters: CounterStore;
  logger: Logger;
  /** UDP/SCTP listeners and their pools from keepalived's LVS (./lvs.ts); null when the document has none */
  readLvs?: () => Promise<LvsReport | null>;
}

export type CollectResult = { ok: true; message: HeartbeatMessage; engineRestarted: boolean } | { ok: false; skip: 'no_config' | 'engine_down' };

function engineIdentity(info: Record<string, string>): EngineIdentity | null {
  if (!info.Pid) return null;
  const uptime = Number(info.Uptime_sec);
  return { pid: info.Pid, startTime: info.Start_time_sec || null, uptimeSec: Number.isFinite(uptime) ? uptime : 0 };
}

/** The listeners (frontends), pools (backends) and their members (servers) the engine serves. */
function expectedIds(plan: ServePlan): Want {
  return {
    listeners: new Set(plan.engine.map((l) => l.id)),
    pools: new Map(plan.pools.map((p) => [p.key, new Set(p.members.map((m) => m.id))] as const)),
  };
}

interface Want {
  listeners: Set<string>;
  /** pool key -> member ids; a server not in it (a removed member still draining its connections) is not reported */
  pools: Map<string, Set<string> | null>;
}

/** Builds messages; each successful call consumes one seq and moves the counter baselines. */
export class HeartbeatCollector {
  // repeated at every beat while they hold: logged when they start, change and end
  private readonly missing: Condition;
  private readonly unknown: Condition;

  constructor(private readonly deps: CollectorDeps) {
    this.missing = condition(deps.logger, 'warn', 'listeners of the applied document are not in haproxy; not reported', 'every listener of the applied document is in haproxy again');
    this.unknown = condition(deps.logger, 'warn', 'unknown haproxy server status; reporting DOWN', 'no unknown haproxy server status any more');
  }

  /** The engine's stats for these listeners and pools (haproxy), or as the engine read them (nginx); null when it is not running. */
  private async read(want: Want, warnMissing: boolean, scope?: StatScope): Promise<EngineReading | null> {
    const stats = await this.deps.readStats(scope);
    if (!stats) return null;
    return 'showStat' in stats ? await this.fromHaproxy(stats, want, warnMissing) : stats;
  }

  private async fromHaproxy(stats: EngineStats, want: Want, warnMissing: boolean): Promise<EngineReading> {
    const engine = engineIdentity(parseShowInfo(stats.showInfo));
    if (!engine) throw new Error('haproxy "show info" has no Pid');
    const frontends = new Map<string, StatRow>();
    const backends = new Map<string, StatRow>();
    const servers = new Map<string, Record<string, MemberStatus>>();
    const unknown = new Map<string, { pool: string; member: string }>();
    let n = 0;
    for (const row of statRows(stats.showStat, { columns: STAT_COLUMNS, keep: (px) => want.listeners.has(px) || want.pools.has(px) })) {
      if (++n % ROWS_PER_TURN === 0) await nextTurn();
      const px = row.pxname;
      if (row.svname === 'FRONTEND') {
        if (want.listeners.has(px)) frontends.set(px, row);
        continue;
      }
      if (!want.pools.has(px)) continue;
      const members = want.pools.get(px);
      if (row.svname === 'BACKEND') backends.set(px, row);
      else if (!members || members.has(row.svname)) {
        const st = memberStatus(row);
        if (!st && !unknown.has(row.status)) unknown.set(row.status, { pool: px, member: row.svname });
        const reported = servers.get(px) ?? {};
        reported[row.svname] = st ?? 'DOWN';
        servers.set(px, reported);
      }
    }
    const missing = [...want.listeners].filter((id) => !frontends.has(id));
    const statuses = [...unknown.keys()].sort();
    this.unknown.update(statuses.length > 0, statuses.join(','), { statuses, example: [...unknown.values()][0] });
    if (warnMissing) this.missing.update(missing.length > 0, missing.join(','), { listeners: missing });
    const totals: Record<string, Totals> = {};
    const listeners: EngineReading['listeners'] = new Map();
    for (const [id, row] of frontends) {
      totals[id] = { bin: counter(row, 'bin'), bout: counter(row, 'bout'), stot: counter(row, 'stot'), ereq: counter(row, 'ereq') };
      listeners.set(id, { status: listenerStatus(row), conns: counter(row, 'scur') });
    }
    const pools: EngineReading['pools'] = new Map();
    for (const key of new Set([...backends.keys(), ...servers.keys()])) {
      const members = servers.get(key) ?? {};
      pools.set(key, { status: poolStatus(backends.get(key), members), members });
    }
    return { engine, listeners, pools, totals };
  }

  private save(next: CounterState, durable = true): void {
    try {
      this.deps.counters.save(next, durable);
    } catch (e) {
      this.deps.logger.error('cannot persist the heartbeat counters; an agent restart now may count traffic twice', { err: e });
    }
  }

  /** One message, or why none is due (no applied config, engine not running). */
  async collect(): Promise<CollectResult> {
    const applied = this.deps.getApplied();
    if (!applied) return { ok: false, skip: 'no_config' };
    const r = await this.read(expectedIds(applied.serves), true);
    if (!r) return { ok: false, skip: 'engine_down' };
    const prev = this.deps.counters.load();
    const { deltas, listeners, restarted } = computeDeltas(prev, r.engine, r.totals);
    const message: HeartbeatMessage = { id: this.deps.amphoraId, seq: prev.seq + 1, ver: HEARTBEAT_VERSION, listeners: {}, pools: {} };
    for (const [id, l] of r.listeners) {
      const d = addTotals(prev.pending[id], deltas[id] ?? { bin: 0, bout: 0, stot: 0, ereq: 0 });
      message.listeners[id] = { status: l.status, stats: { tx: d.bout, rx: d.bin, conns: l.conns, totconns: d.stot, ereq: d.ereq } };
    }
    const lvs = await this.deps.readLvs?.().catch((e) => {
      this.deps.logger.warn('cannot read LVS; its listeners are reported DOWN', { err: e });
      return null;
    });
    Object.assign(message.listeners, lvs?.listeners);
    Object.assign(message.pools, lvs?.pools);
    // Octavia's health manager refreshes an amphora only when the message holds
    // every enabled listener; one nothing serves (UDP/SCTP without IPVS) or
    // haproxy lacks is reported DOWN rather than left out, which would make the
    // controller fail the amphora over again and again.
    for (const id of applied.serves.reported) {
      message.listeners[id] ??= { status: 'DOWN', stats: { tx: 0, rx: 0, conns: 0, totconns: 0, ereq: 0 } };
    }
    for (const [key, p] of r.pools) message.pools[key] = { status: p.status, members: p.members };
    message.generation = applied.generation;
    message.config_hash = applied.configHash;
    this.save({ seq: message.seq, engine: r.engine, listeners, pending: {} });
    return { ok: true, message, engineRestarted: restarted && prev.engine !== null };
  }

  /**
   * Takes the engine's counters now and keeps the deltas for the next message,
   * without sending. Call it just before a reload: the old process's counters
   * die with it, so traffic since the last heartbeat would otherwise be lost.
   * With no applied document (the agent restoring one at start, before it
   * counts as applied) it takes the listeners it holds baselines for.
   */
  async checkpoint(): Promise<boolean> {
    const prev = this.deps.counters.load();
    const applied = this.deps.getApplied();
    // only the listeners' counters are kept: frontends are enough (no set of every pool's members, on the apply's path)
    const want: Want = { listeners: new Set(applied ? applied.serves.engine.map((l) => l.id) : Object.keys(prev.listeners)), pools: new Map() };
    if (want.listeners.size === 0) return false;
    const r = await this.read(want, false, 'frontends');
    if (!r) return false;
    const { deltas, listeners } = computeDeltas(prev, r.engine, r.totals);
    const pending: Record<string, Totals> = {};
    for (const [id, d] of Object.entries(deltas)) pending[id] = addTotals(prev.pending[id], d);
    // on the apply's path, before the reload: not synced (CounterStore.save)
    this.save({ seq: prev.seq, engine: r.engine, listeners, pending }, false);
    return true;
  }
}
