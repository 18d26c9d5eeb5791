/**
 * The replace-VM upgrade's plan, pure: from the old and the new VM's
 * `/v1/details` (info and what each has applied), both VMs' dry runs of the
 * document (`POST /v1/loadbalancer/validate`, which touches no engine) and the
 * document, say whether the document moves unchanged and list every blocker
 * with its path, next to what differs between the two VMs.
 */
import type { Document } from '../schemas/document';
import type { ValidationError } from '../schemas/validate';
import type { AgentDetails } from './agent-answers';
import { serveBlockers } from './serve-check';

/** A dry run's outcome: valid (and whether it is exactly the applied document), or refused. */
export type DryRun =
  | { ok: true; hash: string; unchanged: boolean }
  | { ok: false; status: number; code: string; message: string; errors?: ValidationError[]; engine_output?: string };

/** One fact that differs; for `capabilities.*` each side lists what only it has. */
export interface Difference {
  what: string;
  old: string;
  new: string;
}

export interface UpgradePlan {
  moves: boolean;
  blockers: ValidationError[];
  /** what differs between the VMs (engine, versions, capabilities) */
  differences: Difference[];
  old: { amphora_id: string | null; applied_generation: number | null; config_hash: string | null; serves_document: boolean };
  new: { amphora_id: string | null; applied_generation: number | null; dry_run: DryRun | null };
  generation: number;
}

const CAPABILITY_KEYS = ['protocols', 'algorithms', 'monitorTypes', 'persistenceTypes', 'l7RuleTypes'] as const;

/** Engine, versions and capabilities that differ between the two VMs. */
export function differences(o: AgentDetails, n: AgentDetails): Difference[] {
  const out: Difference[] = [];
  const same = (what: string, a: string, b: string) => a !== b && out.push({ what, old: a, new: b });
  same('engine', `${o.engine?.name} ${o.engine?.version}`, `${n.engine?.name} ${n.engine?.version}`);
  same('agent_version', o.agent_version, n.agent_version);
  same('api_versions', (o.api_versions ?? []).join(','), (n.api_versions ?? []).join(','));
  same('schema_versions', (o.schema_versions ?? []).join(','), (n.schema_versions ?? []).join(','));
  same('openssl_version', o.openssl_version, n.openssl_version);
  for (const k of CAPABILITY_KEYS) {
    const a: string[] = o.capabilities?.[k] ?? [];
    const b: string[] = n.capabilities?.[k] ?? [];
    const lost = a.filter((x) => !b.includes(x));
    const gained = b.filter((x) => !a.includes(x));
    // for capabilities, each side shows what only it has
    if (lost.length || gained.length) out.push({ what: `capabilities.${k}`, old: lost.join(',') || '-', new: gained.join(',') || '-' });
  }
  return out;
}

/** The blockers a refused dry run on the new VM adds, with the agent's own paths. */
function dryRunBlockers(d: DryRun | null): ValidationError[] {
  if (!d || d.ok) return [];
  if (d.errors?.length) return d.errors;
  const words = d.engine_output ? `: ${d.engine_output.trim().split('\n').slice(-3).join(' | ')}` : '';
  const path = d.code.startsWith('GENERATION_') ? 'generation' : 'agent.validate';
  return [{ path, message: `the new VM's dry run answered ${d.status} ${d.code}: ${d.message}${words}` }];
}

/** Plans moving `doc` from the old VM to the new one. */
export function planUpgrade(p: { doc: Document; old: AgentDetails; new: AgentDetails; oldDryRun: DryRun | null; newDryRun: DryRun | null }): UpgradePlan {
  const blockers = serveBlockers(p.new, p.doc);
  for (const [side, d] of [['old', p.old], ['new', p.new]] as const) {
    if (!d.amphora_id) blockers.push({ path: 'agent.amphora_id', message: `the ${side} VM reports no amphora id (amphora_id in its config): its heartbeats cannot be matched` });
  }
  if (p.old.amphora_id && p.old.amphora_id === p.new.amphora_id) {
    blockers.push({ path: 'agent.amphora_id', message: `both VMs report amphora id ${p.new.amphora_id}: their heartbeats cannot be told apart` });
  }
  if (p.new.applied_generation !== null && p.new.applied_generation > p.doc.generation) {
    blockers.push({ path: 'generation', message: `the new VM already applied generation ${p.new.applied_generation}, newer than ${p.doc.generation}` });
  }
  for (const b of dryRunBlockers(p.newDryRun)) {
    if (!blockers.some((x) => x.path === b.path && x.message === b.message)) blockers.push(b);
  }
  return {
    moves: blockers.length === 0,
    blockers,
    differences: differences(p.old, p.new),
    old: { amphora_id: p.old.amphora_id, applied_generation: p.old.applied_generation, config_hash: p.old.config_hash, serves_document: !!(p.oldDryRun?.ok && p.oldDryRun.unchanged) },
    new: { amphora_id: p.new.amphora_id, applied_generation: p.new.applied_generation, dry_run: p.newDryRun },
    generation: p.doc.generation,
  };
}
