/**
 * Wires the heartbeat into the daemon as a companion: config from the INI
 * file, the applied document from the applier, the stats socket from the
 * engine, counters in the state directory. `main.ts` passes
 * `companions: [startHeartbeatCompanion]` to `startDaemon`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Companion, DaemonView } from '../daemon';
import type { Logger } from '../log';
import { createHeartbeat, Heartbeat } from './heartbeat';
import { readHaproxyStats } from './haproxy-stats';
import { lvsReport, readIpVs, type LvsReport } from './lvs';

export const COUNTERS_FILE = 'heartbeat-counters.json';

/**
 * The LVS part of a heartbeat: keepalived's plan against `/proc/net/ip_vs`.
 * Without IPVS its listeners are DOWN and the reason is logged (once per reason) and kept for GET /v1/details.
 */
export function lvsReader(view: DaemonView, log: Logger, readFile: (f: string) => string = (f) => fs.readFileSync(f, 'utf8')) {
  let unavailable: string | null = null;
  const read = async (): Promise<LvsReport | null> => {
    const s = view.keepalived?.lifecycle.lvs();
    if (!s || s.plan.length === 0) {
      unavailable = null;
      return null;
    }
    const reading = s.ipvs && !s.ipvs.available ? { available: false as const, reason: s.ipvs.reason ?? 'no IPVS' } : readIpVs(readFile);
    const why = reading.available ? null : reading.reason;
    if (why && why !== unavailable) log.warn('UDP/SCTP listeners are reported DOWN: LVS cannot serve them', { reason: why, listeners: s.plan.map((l) => l.listenerId) });
    unavailable = why;
    return lvsReport(s.plan, reading, s.running);
  };
  return { read, unavailable: () => unavailable };
}

/** The heartbeat over a running daemon (not started). */
export function daemonHeartbeat(view: DaemonView, readLvs?: () => Promise<LvsReport | null>): Heartbeat {
  const cfg = view.config;
  // haproxy's stats socket, as the engine last said (its path does not change)
  let statsSocket: string | null = null;
  return createHeartbeat({
    amphoraId: cfg.amphoraId,
    heartbeatKey: cfg.heartbeatKey,
    intervalSec: cfg.heartbeatInterval,
    targets: cfg.controllers,
    getApplied: () => {
      const a = view.applied();
      return a ? { generation: a.generation, configHash: a.hash, serves: a.serves } : null;
    },
    readStats: async (scope) => {
      // nginx: the agent gathers the reading itself (access log, its monitors, /proc/net)
      if (view.engineReading) return (await view.engineStatus()).running ? view.engineReading() : null;
      // a checkpoint comes just before a reload of an engine the apply saw running: its stats socket is asked
      // at once, without the master first (one round trip less on the apply's path); one nobody answers
      // reads as not running
      if (scope === 'frontends' && statsSocket) return readHaproxyStats(statsSocket, 5000, scope);
      const st = await view.engineStatus();
      statsSocket = st.statsSocket;
      return st.running ? readHaproxyStats(st.statsSocket, 5000, scope) : null;
    },
    readLvs,
    countersFile: path.join(cfg.stateDir, COUNTERS_FILE),
    logger: view.log,
  });
}

/**
 * A daemon companion: checkpoints before every reload of haproxy (the restore's
 * at start included), starts beating once the daemon is ready, reports in /v1/details,
 * stops on shutdown.
 */
export function startHeartbeatCompanion(view: DaemonView): Companion & { heartbeat: Heartbeat } {
  const lvs = lvsReader(view, view.log);
  const heartbeat = daemonHeartbeat(view, lvs.read);
  return {
    heartbeat,
    ready: () => heartbeat.start(),
    report: () => {
      const s = heartbeat.status();
      return { targets: s.targets, last_send_error: s.lastError, running: s.running, last_seq: s.lastSeq, last_sent_at: s.lastSentAt, last_result: s.lastResult, lvs_unavailable: lvs.unavailable() };
    },
    beforeReload: async () => {
      // nginx's counters are the agent's own (its access-log totals), which a reload does not reset: nothing to take
      // (building the reading cost ~15 ms with 2,000 members, on the apply's path)
      if (view.engineReading) return;
      await heartbeat.checkpoint();
    },
    stop: () => heartbeat.stop(),
  };
}
