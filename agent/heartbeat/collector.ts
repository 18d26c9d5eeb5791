/**
 * Builds one heartbeat message (contract section 4) from the applied document
 * and the engine's `show stat` / `show info`; computes deltas and the next seq
 * through the counter store. No sockets: the sender sends what this returns.
 */
import type { ServePlan } from '../../renderers/types';
import type { HeartbeatMessage, MemberStatus } from '../../schemas/heartbeat/message';
import { HEARTBEAT_VERSION } from '../../schemas/heartbeat/version';
import { condition, type Condition, type Logger } from '../log';
import { addTotals, computeDeltas, CounterState, CounterStore, EngineIdentity, Totals } from './counters';
import { counter, parseShowInfo, statRows, StatRow } from '../engines/haproxy-csv';
import { listenerStatus, memberStatus, poolStatus } from './status-map';

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

export interface EngineStats {
  showStat: string;
  showInfo: string;
}

export interface CollectorDeps {
  amphoraId: string;
  getApplied: () => AppliedConfig | null;
  /** null when the engine is not running */
  readStats: () => Promise<EngineStats | null>;
  counters: CounterStore;
  logger: Logger;
}

export type CollectResult = { ok: true; message: HeartbeatMessage; engineRestarted: boolean } | { ok: false; skip: 'no_config' | 'engine_down' };

function engineIdentity(info: Record<string, string>): EngineIdentity | null {
  if (!info.Pid) return null;
  const uptime = Number(info.Uptime_sec);
  return { pid: info.Pid, startTime: info.Start_time_sec || null, uptimeSec: Number.isFinite(uptime) ? uptime : 0 };
}

/** The listeners (frontends) and pools (backends) the engine serves. */
function expectedIds(plan: ServePlan): { listeners: Set<string>; pools: Set<string> } {
  return { listeners: new Set(plan.engine.map((l) => l.id)), pools: new Set(plan.pools.map((p) => p.key)) };
}

interface EngineReading {
  engine: EngineIdentity;
  frontends: Map<string, StatRow>;
  backends: Map<string, StatRow>;
  servers: Map<string, Record<string, MemberStatus>>;
  totals: Record<string, Totals>;
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

  /** The engine's stats for these listeners and pools, or null when it is not running. */
  private async read(want: { listeners: Set<string>; pools: Set<string> }, warnMissing: boolean): Promise<EngineReading | null> {
    const stats = await this.deps.readStats();
    if (!stats) return null;
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
      if (row.svname === 'BACKEND') backends.set(px, row);
      else {
        const st = memberStatus(row);
        if (!st && !unknown.has(row.status)) unknown.set(row.status, { pool: px, member: row.svname });
        const members = servers.get(px) ?? {};
        members[row.svname] = st ?? 'DOWN';
        servers.set(px, members);
      }
    }
    const missing = [...want.listeners].filter((id) => !frontends.has(id));
    const statuses = [...unknown.keys()].sort();
    this.unknown.update(statuses.length > 0, statuses.join(','), { statuses, example: [...unknown.values()][0] });
    if (warnMissing) this.missing.update(missing.length > 0, missing.join(','), { listeners: missing });
    const totals: Record<string, Totals> = {};
    for (const [id, row] of frontends) totals[id] = { bin: counter(row, 'bin'), bout: counter(row, 'bout'), stot: counter(row, 'stot'), ereq: counter(row, 'ereq') };
    return { engine, frontends, backends, servers, totals };
  }

  private save(next: CounterState): void {
    try {
      this.deps.counters.save(next);
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
    for (const [id, row] of r.frontends) {
      const d = addTotals(prev.pending[id], deltas[id]);
      message.listeners[id] = { status: listenerStatus(row), stats: { tx: d.bout, rx: d.bin, conns: counter(row, 'scur'), totconns: d.stot, ereq: d.ereq } };
    }
    // Octavia's health manager refreshes an amphora only when the message holds
    // every enabled listener; one this agent does not serve (UDP/SCTP: keepalived
    // is not run yet) or haproxy lacks is reported DOWN rather than left out,
    // which would make the controller fail the amphora over again and again.
    for (const id of applied.serves.reported) {
      message.listeners[id] ??= { status: 'DOWN', stats: { tx: 0, rx: 0, conns: 0, totconns: 0, ereq: 0 } };
    }
    for (const key of new Set([...r.backends.keys(), ...r.servers.keys()])) {
      const members = r.servers.get(key) ?? {};
      message.pools[key] = { status: poolStatus(r.backends.get(key), members), members };
    }
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
    const want = applied ? expectedIds(applied.serves) : { listeners: new Set(Object.keys(prev.listeners)), pools: new Set<string>() };
    if (want.listeners.size === 0) return false;
    const r = await this.read(want, false);
    if (!r) return false;
    const { deltas, listeners } = computeDeltas(prev, r.engine, r.totals);
    const pending: Record<string, Totals> = {};
    for (const [id, d] of Object.entries(deltas)) pending[id] = addTotals(prev.pending[id], d);
    this.save({ seq: prev.seq, engine: r.engine, listeners, pending });
    return true;
  }
}
