/**
 * Bodies of the agent's API (contract section 3), as zod schemas: the source
 * of the OpenAPI document that `generate.ts` writes. The request body of
 * `PUT /v1/loadbalancer` is the document itself (`document.ts`); these are the
 * answers. Objects are open (extra keys allowed) so the agent may add fields
 * without a new API version.
 */
import { z } from 'zod';
import { API_VERSIONS, SUPPORTED_SCHEMA_VERSIONS } from './version';

/** Stable error codes of the API (agent/errors.ts), with the statuses in the OpenAPI document. */
export const ERROR_CODES = [
  'DOCUMENT_INVALID', 'MALFORMED_BODY', 'BODY_TOO_LARGE', 'GENERATION_STALE', 'GENERATION_CONFLICT',
  'RENDER_FAILED', 'ENGINE_REFUSED', 'APPLY_FAILED', 'ENGINE_FAILED', 'NOT_APPLIED', 'NOT_FOUND', 'AGENT_ERROR',
] as const;

/**
 * Builds the schemas of the API bodies. A function, not constants: the
 * OpenAPI generator needs zod extended before the schemas are made.
 */
export function buildApiSchemas() {
  const generation = z.number().int().min(1);
  const configHash = z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of the rendered files, hex');
  const names = z.array(z.string());

  const validationError = z.object({
    path: z.string().describe("where, in the document's own keys, e.g. loadbalancer.listeners[1].l7policies[0].rules[2].value"),
    message: z.string().describe('one sentence for an operator'),
  });

  const errorBody = z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    errors: z.array(validationError).optional().describe('DOCUMENT_INVALID: every problem at once'),
    generation: generation.optional().describe('GENERATION_STALE, GENERATION_CONFLICT: the pushed generation'),
    applied_generation: generation.optional().describe('GENERATION_STALE, GENERATION_CONFLICT: the applied generation'),
    engine_output: z.string().optional().describe('ENGINE_REFUSED: what the engine said about the candidate configuration'),
    candidate_dir: z.string().optional().describe('ENGINE_REFUSED: where the refused candidate was kept for debugging'),
    rolled_back: z.boolean().optional().describe('APPLY_FAILED: whether the previous configuration was restored'),
  });

  const info = z.object({
    agent_version: z.string(),
    api_versions: names.describe(`today ${JSON.stringify(API_VERSIONS)}`),
    schema_versions: names.describe(`document versions accepted, today ${JSON.stringify(SUPPORTED_SCHEMA_VERSIONS)}`),
    engine: z.enum(['haproxy', 'nginx']),
    engine_version: z.string(),
    openssl_version: z.string(),
    hostname: z.string(),
    amphora_id: z.string().nullable(),
    capabilities: z.object({ protocols: names, algorithms: names, monitor_types: names, persistence_types: names, l7_rule_types: names }),
  });

  const details = info.extend({
    applied_generation: generation.nullable(),
    config_hash: configHash.nullable(),
    last_refused: z
      .object({ generation: z.number().int().nullable(), errors: z.array(validationError), at: z.string().describe('ISO 8601 time') })
      .nullable(),
    load: z.array(z.number()).describe('1, 5 and 15 minute load averages'),
    memory: z.object({ total_bytes: z.number().int(), free_bytes: z.number().int() }),
    disk: z.object({ total_bytes: z.number().int(), available_bytes: z.number().int() }),
    listeners: z.record(z.string(), z.object({ status: z.enum(['OPEN', 'FULL', 'DOWN']) })).describe('by listener_id'),
    engine_process: z.object({ running: z.boolean(), pid: z.number().int().nullable() }),
    heartbeat: z.object({ targets: names.describe('IP:PORT'), last_send_error: z.string().nullable() }),
    keepalived: z
      .object({
        needed: z.boolean().describe('the applied document needs keepalived (VRRP, or LVS for UDP/SCTP listeners)'),
        running: z.boolean(),
        pid: z.number().int().nullable(),
        vrrp_state: z.enum(['MASTER', 'BACKUP', 'FAULT', 'STOP', 'DELETED']).nullable(),
        last_transition: z.string().nullable().describe('ISO 8601 time of the last VRRP transition'),
        restarts: z.number().int().describe('times the agent restarted a keepalived that died'),
      })
      .describe('docs/configuration.md lists every field'),
  });

  const applyResult = z.object({
    status: z.enum(['applied', 'unchanged', 'valid']).describe('"valid" is the answer of /validate'),
    generation,
    config_hash: configHash,
  });

  const applied = z.object({
    generation,
    config_hash: configHash,
    status: z.string().describe('e.g. ACTIVE'),
    document: z.record(z.string(), z.unknown()).describe('the applied document with private keys and passphrases redacted'),
  });

  const configFiles = z.object({
    generation,
    config_hash: configHash,
    files: z.record(z.string(), z.string()).describe('relative path to content'),
  });

  const deleted = z.object({ status: z.literal('deleted') });

  return { validationError, errorBody, info, details, applyResult, applied, configFiles, deleted };
}
