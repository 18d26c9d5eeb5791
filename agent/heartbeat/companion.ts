/**
 * Wires the heartbeat into the daemon as a companion: config from the INI
 * file, the applied document from the applier, the stats socket from the
 * engine, counters in the state directory. `main.ts` passes
 * `companions: [startHeartbeatCompanion]` to `startDaemon`.
 */
import * as path from 'node:path';
import type { Companion, DaemonView } from '../daemon';
import { createHeartbeat, Heartbeat } from './heartbeat';
import { readHaproxyStats } from './haproxy-stats';

export const COUNTERS_FILE = 'heartbeat-counters.json';

/** The heartbeat over a running daemon (not started). */
export function daemonHeartbeat(view: DaemonView): Heartbeat {
  const cfg = view.config;
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
      const st = await view.engineStatus();
      return st.running ? readHaproxyStats(st.statsSocket, 5000, scope) : null;
    },
    countersFile: path.join(cfg.stateDir, COUNTERS_FILE),
    logger: view.log,
  });
}

/**
 * A daemon companion: checkpoints before every reload (the restore's at start
 * included), starts beating once the daemon is ready, reports in /v1/details,
 * stops on shutdown.
 */
export function startHeartbeatCompanion(view: DaemonView): Companion & { heartbeat: Heartbeat } {
  const heartbeat = daemonHeartbeat(view);
  return {
    heartbeat,
    ready: () => heartbeat.start(),
    report: () => {
      const s = heartbeat.status();
      return { targets: s.targets, last_send_error: s.lastError, running: s.running, last_seq: s.lastSeq, last_sent_at: s.lastSentAt, last_result: s.lastResult };
    },
    beforeReload: async () => {
      await heartbeat.checkpoint();
    },
    stop: () => heartbeat.stop(),
  };
}
