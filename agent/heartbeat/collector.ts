/**
 * Builds one heartbeat message (contract section 4) from the applied document
 * and the engine's `show stat` / `show info`; computes deltas and the next seq
 * through the counter store. No sockets: the sender sends what this returns.
 */
import { HEARTBEAT_VERSION, HeartbeatMessage, MemberStatus } from '../../schemas/heartbeat';
import type { Document } from '../../schemas';
import type { Logger } from '../log';
import { computeDeltas, CounterStore, EngineIdentity, Totals } from './counters';
import { counter, parseShowInfo, parseShowStat, StatRow } from './haproxy-csv';
import { listenerStatus, memberStatus, poolStatus } from './status-map';

export interface AppliedConfig {
  generation: number;
  configHash: string;
  doc: Document;
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

// keepalived LVS serves these, not haproxy: their stats are not in `show stat`
const NOT_HAPROXY = new Set(['UDP', 'SCTP']);

function engineIdentity(info: Record<string, string>): EngineIdentity | null {
  if (!info.Pid) return null;
  const uptime = Number(info.Uptime_sec);
  return { pid: info.Pid, startTime: info.Start_time_sec || null, uptimeSec: Number.isFinite(uptime) ? uptime : 0 };
}

/** The ids haproxy serves for this document: enabled TCP-family listeners and every pool. */
function expectedIds(doc: Document): { listeners: Set<string>; pools: Set<string> } {
  const lb = doc.loadbalancer;
  const listeners = new Set(lb.listeners.filter((l) => l.admin_state_up !== false && !NOT_HAPROXY.has(l.protocol)).map((l) => l.listener_id));
  const pools = new Set(lb.pools.filter((p) => !NOT_HAPROXY.has(p.protocol)).map((p) => p.pool_id));
  return { listeners, pools };
}

/** Builds messages; each successful call consumes one seq and moves the counter baselines. */
export class HeartbeatCollector {
  constructor(private readonly deps: CollectorDeps) {}

  /** One message, or why none is due (no applied config, engine not running). */
  async collect(): Promise<CollectResult> {
    const applied = this.deps.getApplied();
    if (!applied) return { ok: false, skip: 'no_config' };
    const stats = await this.deps.readStats();
    if (!stats) return { ok: false, skip: 'engine_down' };
    const engine = engineIdentity(parseShowInfo(stats.showInfo));
    if (!engine) throw new Error('haproxy "show info" has no Pid');
    const rows = parseShowStat(stats.showStat);
    const want = expectedIds(applied.doc);

    const frontends = new Map<string, StatRow>();
    const backends = new Map<string, StatRow>();
    const servers = new Map<string, Record<string, MemberStatus>>();
    for (const row of rows) {
      const px = row.pxname;
      if (row.svname === 'FRONTEND') {
        if (want.listeners.has(px)) frontends.set(px, row);
        continue;
      }
      const [poolId, listenerId, extra] = px.split(':');
      if (extra !== undefined || !want.pools.has(poolId) || !want.listeners.has(listenerId)) continue;
      if (row.svname === 'BACKEND') backends.set(px, row);
      else {
        const st = memberStatus(row);
        if (!st) this.deps.logger.warn('unknown haproxy server status; reporting DOWN', { pool: px, member: row.svname, status: row.status });
        const members = servers.get(px) ?? {};
        members[row.svname] = st ?? 'DOWN';
        servers.set(px, members);
      }
    }
    const missing = [...want.listeners].filter((id) => !frontends.has(id));
    if (missing.length) this.deps.logger.warn('listeners of the applied document are not in haproxy; not reported', { listeners: missing });

    const totals: Record<string, Totals> = {};
    for (const [id, row] of frontends) totals[id] = { bin: counter(row, 'bin'), bout: counter(row, 'bout'), stot: counter(row, 'stot'), ereq: counter(row, 'ereq') };
    const prev = this.deps.counters.load();
    const { deltas, listeners, restarted } = computeDeltas(prev, engine, totals);

    const message: HeartbeatMessage = { id: this.deps.amphoraId, seq: prev.seq + 1, ver: HEARTBEAT_VERSION, listeners: {}, pools: {} };
    for (const [id, row] of frontends) {
      const d = deltas[id];
      message.listeners[id] = { status: listenerStatus(row), stats: { tx: d.bout, rx: d.bin, conns: counter(row, 'scur'), totconns: d.stot, ereq: d.ereq } };
    }
    for (const key of new Set([...backends.keys(), ...servers.keys()])) {
      const members = servers.get(key) ?? {};
      message.pools[key] = { status: poolStatus(backends.get(key), members), members };
    }
    message.generation = applied.generation;
    message.config_hash = applied.configHash;
    try {
      this.deps.counters.save({ seq: message.seq, engine, listeners });
    } catch (e) {
      this.deps.logger.error('cannot persist the heartbeat counters; an agent restart now may count traffic twice', { err: e });
    }
    return { ok: true, message, engineRestarted: restarted && prev.engine !== null };
  }
}
