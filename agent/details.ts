/** GET /v1/details: info plus what is applied, what was refused, and how the VM and the engine are doing. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Applier } from './apply/transaction';
import type { Engine } from './engines/types';
import type { AgentInfo } from './info';

/** What the heartbeat sender reports about itself (wired by the daemon; absent until then). */
export interface HeartbeatReport {
  targets: string[];
  last_send_error: string | null;
  [k: string]: unknown;
}

export interface DetailsDeps {
  info: AgentInfo;
  applier: Applier;
  engine: Engine;
  stateDir: string;
  heartbeat?: () => HeartbeatReport | null;
  /** keepalived's process, VRRP state and restarts (agent/keepalived) */
  keepalived?: () => object;
}

/** Per-listener state from the engine's frontends: OPEN, FULL, STOP, or DOWN when absent. */
async function listenerStates(engine: Engine, ids: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let rows: Awaited<ReturnType<Engine['stats']>> = [];
  try {
    rows = await engine.stats();
  } catch {
    // engine not running: every listener is DOWN
  }
  for (const id of ids) {
    const fe = rows.find((r) => r.pxname === id && r.svname === 'FRONTEND');
    out[id] = fe ? { status: fe.status, current_connections: Number(fe.scur || 0), total_connections: Number(fe.stot || 0) } : { status: 'DOWN' };
  }
  return out;
}

function disk(dir: string): Record<string, number> | null {
  try {
    const s = fs.statfsSync(dir);
    return { total_bytes: s.blocks * s.bsize, available_bytes: s.bavail * s.bsize };
  } catch {
    return null;
  }
}

/** Builds the details record. */
export async function buildDetails(d: DetailsDeps): Promise<Record<string, unknown>> {
  const applied = d.applier.applied();
  const ids = ((applied?.document.loadbalancer as { listeners?: { listener_id: string }[] } | undefined)?.listeners ?? []).map((l) => l.listener_id);
  let engine: unknown;
  try {
    const s = await d.engine.status();
    engine = {
      running: s.running, master_pid: s.masterPid, worker_pid: s.workerPid, old_worker_pids: s.oldWorkerPids,
      reloads: s.reloads, failed_reloads: s.failedReloads, stats_socket: s.statsSocket, master_socket: s.masterSocket,
    };
  } catch (e) {
    engine = { running: false, error: (e as Error).message };
  }
  const refused = d.applier.lastRefused();
  return {
    ...d.info,
    applied_generation: applied?.generation ?? null,
    config_hash: applied?.hash ?? null,
    applied_at: applied?.appliedAt ?? null,
    last_refused: refused ? { generation: refused.generation, code: refused.code, status: refused.status, message: refused.message, errors: refused.errors, at: refused.at } : null,
    restore_error: d.applier.restoreError(),
    counters: d.applier.counters(),
    load: os.loadavg(),
    memory: { total_bytes: os.totalmem(), free_bytes: os.freemem(), agent_rss_bytes: process.memoryUsage().rss },
    disk: disk(d.stateDir),
    listeners: await listenerStates(d.engine, ids),
    engine_process: engine,
    heartbeat: d.heartbeat?.() ?? null,
    keepalived: d.keepalived?.() ?? null,
  };
}
