/** Text the commands print for people (the --json forms print the records as they are). Pure. */
import type { ValidationError } from '../../schemas/validate';
import type { AgentDetails } from '../agent-answers';
import { countByStatus, type PushOutcome } from '../push';
import { pad } from '../table';

/** `  path: message` lines. */
export function formatErrors(errors: readonly ValidationError[], indent = '    '): string[] {
  return errors.map((e) => `${indent}${e.path || '(document)'}: ${e.message}`);
}

/** The last lines of an engine's output, indented and marked as its words. */
export function formatEngineOutput(text: string, indent = '    '): string[] {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.slice(-12).map((l) => `${indent}| ${l}`);
}

/** One agent's push outcome, with the details an operator acts on. */
export function formatOutcome(o: PushOutcome, width: number): string[] {
  const out = [`${o.agent.padEnd(width)}  ${o.status.padEnd(14)}  ${o.message}  (${o.ms} ms)`];
  if (o.errors) out.push(...formatErrors(o.errors));
  if (o.engine_output) out.push(...formatEngineOutput(o.engine_output));
  if (o.status === 'apply_failed') out.push(`    previous configuration ${o.rolled_back ? 'restored and serving' : 'NOT restored'}`);
  if (o.applied_generation !== undefined) out.push(`    the agent has generation ${o.applied_generation} applied`);
  return out;
}

/** The closing line of a push. */
export function formatPushSummary(outcomes: readonly PushOutcome[], generation: number): string {
  const counts = Object.entries(countByStatus(outcomes)).map(([k, n]) => `${n} ${k}`).join(', ');
  const notServing = outcomes.filter((o) => !o.serving).length;
  return `${outcomes.length} agent(s): ${counts}; ${notServing ? `${notServing} NOT serving generation ${generation}` : `all serving generation ${generation}`}`;
}

const short = (h: string | null | undefined) => (h ? h.slice(0, 12) : '-');

/** One agent's details as a block of `key  value` lines. */
export function formatDetails(url: string, d: AgentDetails): string[] {
  const c = d.capabilities;
  const rows: string[][] = [
    ['agent', url],
    ['amphora_id', d.amphora_id ?? '-'],
    ['hostname', d.hostname],
    ['agent_version', `${d.agent_version} (API ${d.api_versions.join(', ')}; documents ${d.schema_versions.join(', ')})`],
    ['engine', `${d.engine.name} ${d.engine.version}`],
    ['openssl', d.openssl_version],
    ['applied', d.applied_generation === null ? 'nothing applied' : `generation ${d.applied_generation}, config_hash ${d.config_hash}`],
    ['last_refused', d.last_refused ? `generation ${d.last_refused.generation ?? '?'} at ${d.last_refused.at}: ${d.last_refused.code} ${d.last_refused.message}` : '-'],
    ['heartbeat', d.heartbeat ? `to ${d.heartbeat.targets.join(', ') || '(no targets)'}${d.heartbeat.last_send_error ? `; last error: ${d.heartbeat.last_send_error}` : ''}` : '-'],
    ['listeners', Object.entries(d.listeners ?? {}).map(([id, l]) => `${id} ${l.status}`).join(', ') || '-'],
    ['protocols', c.protocols.join(', ')],
    ['algorithms', c.algorithms.join(', ')],
    ['monitor_types', c.monitorTypes.join(', ')],
    ['persistence', c.persistenceTypes.join(', ')],
    ['l7_rule_types', c.l7RuleTypes.join(', ')],
  ];
  const out = pad(rows);
  if (d.last_refused?.errors?.length) out.push(...formatErrors(d.last_refused.errors));
  return out;
}

/** Many agents' details, one line each. */
export function formatStatusTable(rows: { url: string; d?: AgentDetails; error?: string; canServe?: boolean | null }[]): string[] {
  const withServe = rows.some((r) => r.canServe !== undefined && r.canServe !== null);
  const head = ['AGENT', 'AMPHORA', 'ENGINE', 'AGENT_VERSION', 'APPLIED', 'CONFIG_HASH', 'LAST_REFUSED', 'HEARTBEAT_TARGETS', ...(withServe ? ['CAN_SERVE'] : [])];
  const body = rows.map((r) => {
    if (!r.d) return [r.url, 'UNREACHABLE'];
    const d = r.d;
    return [
      r.url, d.amphora_id ?? '-', `${d.engine.name} ${d.engine.version}`, d.agent_version, d.applied_generation === null ? '-' : String(d.applied_generation),
      short(d.config_hash), d.last_refused ? `${d.last_refused.generation ?? '?'} ${d.last_refused.code}` : '-', d.heartbeat?.targets.join(',') || '-',
      ...(withServe ? [r.canServe ? 'yes' : 'NO'] : []),
    ];
  });
  const errors = rows.filter((r) => !r.d).map((r) => `${r.url}: ${r.error ?? 'no answer'}`);
  return [...pad([head, ...body]), ...errors];
}
