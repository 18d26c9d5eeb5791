/** GET /v1/details: info plus what is applied, what was refused, and how the VM and the engine are doing. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Applier } from './apply/transaction';
import type { Engine, StatRow } from './engines/types';
import type { ServePlan } from '../renderers/types';
import type { DetailsBody } from '../schemas/api';
import type { AgentInfo } from './info';
import type { AppliedState } from './state/store';

/** What the heartbeat sender reports about itself (wired by the daemon; absent until then). */
export type HeartbeatReport = NonNullable<DetailsBody['heartbeat']>;

export interface DetailsDeps {
  info: AgentInfo;
  applier: Applier;
  engine: Engine;
  stateDir: string;
  heartbeat?: () => HeartbeatReport | null;
  /** keepalived's process, VRRP state and restarts (agent/keepalived) */
  keepalived?: () => NonNullable<DetailsBody['keepalived']>;
  /** deaths and restarts of the engine (agent/supervise) */
  engineSupervisor?: () => NonNullable<DetailsBody['engine_supervisor']>;
}

/** Per-listener state of the listeners the engine serves (the engine's own answer, or haproxy's frontends); every other listener is DOWN. */
async function listenerStates(engine: Engine, ids: string[], plan: ServePlan | undefined): Promise<DetailsBody['listeners']> {
  const served = new Set(plan?.engine.map((l) => l.id) ?? []);
  if (engine.listenerStates && plan) {
    const own = await engine.listenerStates(plan).catch(() => ({}) as Record<string, DetailsBody['listeners'][string]>);
    return Object.fromEntries(ids.map((id) => [id, own[id] ?? { status: 'DOWN' }]));
  }
  const out: DetailsBody['listeners'] = {};
  let rows: StatRow[] = [];
  try {
    if (served.size && engine.stats) rows = await engine.stats({ frontendsOnly: true, columns: ['pxname', 'svname', 'status', 'scur', 'stot'] });
  } catch {
    // engine not running: every listener is DOWN
  }
  const frontends = new Map(rows.filter((r) => r.svname === 'FRONTEND' && served.has(r.pxname)).map((r) => [r.pxname, r] as const));
  for (const id of ids) {
    const fe = frontends.get(id);
    const status = fe?.status === 'OPEN' || fe?.status === 'FULL' ? fe.status : 'DOWN';
    out[id] = fe ? { status, current_connections: Number(fe.scur || 0), total_connections: Number(fe.stot || 0) } : { status: 'DOWN' };
  }
  return out;
}

function disk(dir: string): DetailsBody['disk'] {
  try {
    const s = fs.statfsSync(dir);
    return { total_bytes: s.blocks * s.bsize, available_bytes: s.bavail * s.bsize };
  } catch {
    return null;
  }
}

/** Each applied state's listener ids, in the document's order: read from its text once, not kept as objects. */
const listenerIdsOf = new WeakMap<AppliedState, string[]>();

function listenerIds(s: AppliedState): string[] {
  let ids = listenerIdsOf.get(s);
  if (!ids) {
    const doc = JSON.parse(s.documentText) as { loadbalancer?: { listeners?: { listener_id: string }[] } };
    ids = (doc.loadbalancer?.listeners ?? []).map((l) => l.listener_id);
    listenerIdsOf.set(s, ids);
  }
  return ids;
}

/** Builds the details record. */
export async function buildDetails(d: DetailsDeps): Promise<DetailsBody> {
  const applied = d.applier.applied();
  const ids = applied ? listenerIds(applied) : [];
  let engine: DetailsBody['engine_process'];
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
    last_apply: d.applier.lastApply(),
    load: os.loadavg(),
    memory: { total_bytes: os.totalmem(), free_bytes: os.freemem(), agent_rss_bytes: process.memoryUsage().rss },
    disk: disk(d.stateDir),
    listeners: await listenerStates(d.engine, ids, applied?.serves),
    engine_process: engine,
    heartbeat: d.heartbeat?.() ?? null,
    keepalived: d.keepalived?.() ?? null,
    engine_supervisor: d.engineSupervisor?.() ?? null,
  };
}
