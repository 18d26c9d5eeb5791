/**
 * Can this agent serve this document? Its API version, the document's
 * schema version against the versions it accepts, its engine's capabilities,
 * and the `amphora` block naming another VM. Every blocker has a path: the
 * document's own keys, or `agent.<field of /v1/info>` when the VM is the reason.
 */
import { checkCapabilities } from '../schemas/capabilities';
import type { Document } from '../schemas/document';
import { API_VERSIONS } from '../schemas/version';
import type { ValidationError } from '../schemas/validate';
import type { AgentInfo } from './agent-answers';

/** True when `version` ("1.2") is accepted by one of `accepted` ("1.x" = every minor of 1, or an exact "1.0"). */
export function acceptsSchemaVersion(accepted: readonly string[], version: string): boolean {
  const [major] = version.split('.');
  return accepted.some((a) => a === version || (a.endsWith('.x') && a.slice(0, -2) === major));
}

/** Whether the capabilities object of an info answer has the fields the check reads. */
function capabilitiesReadable(info: AgentInfo): boolean {
  const c = info.capabilities as unknown as Record<string, unknown> | undefined;
  return !!c && ['protocols', 'algorithms', 'monitorTypes', 'persistenceTypes', 'l7RuleTypes'].every((k) => Array.isArray(c[k]));
}

/** Everything that stops the agent described by `info` from serving `doc` (empty: it can). */
export function serveBlockers(info: AgentInfo, doc: Document): ValidationError[] {
  const out: ValidationError[] = [];
  const apis = Array.isArray(info.api_versions) ? info.api_versions : [];
  if (!API_VERSIONS.some((v) => apis.includes(v))) {
    out.push({ path: 'agent.api_versions', message: `the agent speaks API ${apis.join(', ') || '(none)'}; this controller speaks ${API_VERSIONS.join(', ')}` });
  }
  const accepted = Array.isArray(info.schema_versions) ? info.schema_versions : [];
  if (!acceptsSchemaVersion(accepted, doc.schema_version)) {
    out.push({ path: 'schema_version', message: `${doc.schema_version} is not accepted by the agent (it accepts ${accepted.join(', ') || 'none'})` });
  }
  if (!capabilitiesReadable(info)) out.push({ path: 'agent.capabilities', message: 'the agent reports no readable capabilities in /v1/info' });
  else out.push(...checkCapabilities(doc, info.capabilities));
  if (doc.amphora?.id && info.amphora_id && doc.amphora.id !== info.amphora_id) {
    out.push({ path: 'amphora.id', message: `names amphora ${doc.amphora.id}, but this VM is ${info.amphora_id}: its place (role, vrrp_address, peers) must be rebuilt for this VM` });
  }
  return out;
}
