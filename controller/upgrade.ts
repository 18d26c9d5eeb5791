/**
 * The replace-VM upgrade against real agents: `planFor` reads both VMs and
 * dry-runs the document on both (neither engine is touched); `migrate` then
 * pushes the document to the new VM and waits until the new VM's heartbeats
 * report every listener and member as the old one's do, with the same
 * config_hash. It never sends anything but reads and a dry run to the old VM.
 */
import type { Document } from '../schemas/document';
import { expectOk, type AgentClient } from './agent-client';
import type { AgentDetails, ValidateAnswer } from './agent-answers';
import { isErrorAnswer } from './agent-answers';
import { heartbeatDifferences } from './heartbeat-match';
import type { Heard, HeartbeatSource } from './heartbeat-source';
import { classifyPut, type PushOutcome } from './push';
import { planUpgrade, type DryRun, type UpgradePlan } from './upgrade-plan';

/** POST /v1/loadbalancer/validate as a DryRun. */
export async function dryRun(client: AgentClient, doc: unknown): Promise<DryRun> {
  const a = await client.validate(doc);
  if (a.status === 200 && !isErrorAnswer(a.body)) {
    const b = a.body as ValidateAnswer;
    return { ok: true, hash: b.hash, unchanged: b.unchanged };
  }
  const e = isErrorAnswer(a.body) ? a.body : { code: 'HTTP_' + a.status, message: String(a.body).slice(0, 200) };
  return { ok: false, status: a.status, code: e.code, message: e.message, errors: 'errors' in e ? e.errors : undefined, engine_output: 'engine_output' in e ? e.engine_output : undefined };
}

/** Reads both VMs and dry-runs `raw` (the document as sent) on both; `doc` is its validated form. */
export async function planFor(from: AgentClient, to: AgentClient, raw: unknown, doc: Document): Promise<UpgradePlan> {
  const [old, neu] = await Promise.all([from.details(), to.details()]);
  const oldDetails = expectOk(old, `GET /v1/details of the old VM ${from.url}`) as AgentDetails;
  const newDetails = expectOk(neu, `GET /v1/details of the new VM ${to.url}`) as AgentDetails;
  const first = planUpgrade({ doc, old: oldDetails, new: newDetails, oldDryRun: null, newDryRun: null });
  // a dry run is only meaningful where the API and schema versions already fit
  const apiOk = !first.blockers.some((b) => b.path === 'agent.api_versions' || b.path === 'schema_version');
  const [oldDryRun, newDryRun] = apiOk ? await Promise.all([dryRun(from, raw), dryRun(to, raw)]) : [null, null];
  return planUpgrade({ doc, old: oldDetails, new: newDetails, oldDryRun, newDryRun });
}

export type MigrateResult = 'retire_old' | 'blocked' | 'push_failed' | 'timeout';

export interface MigrateReport {
  result: MigrateResult;
  message: string;
  plan: UpgradePlan;
  push: PushOutcome | null;
  /** the heartbeats compared last */
  heartbeats: { old: Heard | null; new: Heard | null };
  /** why they did not match yet, at the end */
  differences: string[];
}

export interface MigrateDeps {
  from: AgentClient;
  to: AgentClient;
  raw: unknown;
  doc: Document;
  source: HeartbeatSource;
  timeoutMs: number;
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** progress for an operator: the step the command is at */
  onStep?: (step: string) => void;
}

/** Runs the migration; resolves with what happened, never touching the old VM's configuration. */
export async function migrate(d: MigrateDeps): Promise<MigrateReport> {
  const now = d.now ?? Date.now;
  const sleep = d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const none = { old: null, new: null };
  d.onStep?.('reading both VMs and dry-running the document on both');
  const plan = await planFor(d.from, d.to, d.raw, d.doc);
  if (!plan.moves) return { result: 'blocked', message: `the document cannot move to the new VM (${plan.blockers.length} blocker(s))`, plan, push: null, heartbeats: none, differences: [] };
  if (!plan.old.serves_document) {
    const m = `the old VM serves generation ${plan.old.applied_generation ?? '(none)'}${plan.old.config_hash ? ` (config_hash ${plan.old.config_hash})` : ''}, not this document: push it there first, or give the document it serves`;
    return { result: 'blocked', message: m, plan, push: null, heartbeats: none, differences: [] };
  }
  const oldId = plan.old.amphora_id!;
  const newId = plan.new.amphora_id!;
  d.onStep?.(`pushing generation ${d.doc.generation} to the new VM ${d.to.url}`);
  const t0 = now();
  const push = classifyPut(d.to.url, await d.to.putLoadBalancer(d.raw), now() - t0);
  if (!push.serving) return { result: 'push_failed', message: `the new VM did not apply the document: ${push.message}`, plan, push, heartbeats: none, differences: [] };
  const hash = push.config_hash!;
  const pushedAt = now();
  d.onStep?.(`waiting for heartbeats of ${oldId} (old) and ${newId} (new) heard after the push, matching with config_hash ${hash}`);
  let last: { old: Heard | null; new: Heard | null } = none;
  let diffs: string[] = [];
  for (;;) {
    try {
      const o = d.source.latest(oldId);
      const n = d.source.latest(newId);
      last = { old: o ?? null, new: n ?? null };
      diffs = [];
      if (!o || o.heardAt < pushedAt) diffs.push(`no heartbeat from the old VM ${oldId} since the push`);
      if (!n || n.heardAt < pushedAt) diffs.push(`no heartbeat from the new VM ${newId} since the push`);
      if (!diffs.length) diffs = heartbeatDifferences(o!.message, n!.message, hash);
    } catch (e) {
      diffs = [(e as Error).message];
    }
    if (!diffs.length) {
      return { result: 'retire_old', message: `the new VM ${newId} reports every listener and member as the old VM ${oldId} does (config_hash ${hash}): the old VM may be retired`, plan, push, heartbeats: last, differences: [] };
    }
    if (now() - pushedAt >= d.timeoutMs) {
      return { result: 'timeout', message: `the heartbeats did not match within ${Math.round(d.timeoutMs / 1000)} s: keep the old VM`, plan, push, heartbeats: last, differences: diffs };
    }
    await sleep(d.pollMs ?? 250);
  }
}
