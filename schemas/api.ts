/**
 * Bodies of the agent's API (contract section 3) as zod schemas: exactly what
 * the routes send (their return types are inferred from these) and the source
 * of the OpenAPI document that `generate.ts` writes. The request body of
 * `PUT /v1/loadbalancer` is the document itself (`document.ts`). Published
 * objects are open (a newer agent may add fields without a new API version);
 * `buildApiSchemas(true)` refuses unknown keys, so a test proves every field
 * the agent sends is described.
 */
import { z } from 'zod';
import { API_VERSIONS, SUPPORTED_SCHEMA_VERSIONS } from './version';

/** Stable error codes of the API (agent/errors.ts), with the statuses in the OpenAPI document. */
export const ERROR_CODES = [
  'DOCUMENT_INVALID', 'MALFORMED_BODY', 'BODY_TOO_LARGE', 'DOCUMENT_TOO_LARGE', 'GENERATION_STALE', 'GENERATION_CONFLICT',
  'RENDER_FAILED', 'ENGINE_REFUSED', 'VRRP_INTERFACE_MISSING', 'APPLY_FAILED', 'ENGINE_TIMEOUT', 'STORAGE_FULL', 'ENGINE_FAILED', 'NOT_APPLIED', 'NOT_FOUND', 'AGENT_ERROR',
] as const;

/**
 * Builds the schemas of the API bodies; `strict` refuses keys they do not
 * describe. A function, not constants: the OpenAPI generator needs zod
 * extended before the schemas are made.
 */
export function buildApiSchemas(strict = false) {
  const obj = <S extends z.ZodRawShape>(shape: S) => (strict ? z.strictObject(shape) : z.object(shape));
  const generation = z.number().int().min(1);
  const hash = z.string().regex(/^[0-9a-f]{64}$/).describe("SHA-256 (hex) of the document's canonical JSON, as the controller sent it; the heartbeat's config_hash");
  const names = z.array(z.string());
  const time = z.string().describe('ISO 8601 time');

  const validationError = obj({
    path: z.string().describe("where, in the document's own keys, e.g. loadbalancer.listeners[1].l7policies[0].rules[2].value"),
    message: z.string().describe('one sentence for an operator'),
  });

  const errorBody = obj({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    errors: z.array(validationError).optional().describe('DOCUMENT_INVALID: every problem at once'),
    generation: generation.optional().describe('GENERATION_STALE, GENERATION_CONFLICT: the pushed generation'),
    applied_generation: generation.optional().describe('GENERATION_STALE, GENERATION_CONFLICT: the applied generation'),
    engine_output: z.string().optional().describe('ENGINE_REFUSED: what the engine said about the candidate configuration'),
    candidate_dir: z.string().optional().describe('ENGINE_REFUSED: where the refused candidate was kept for debugging'),
    rolled_back: z.boolean().optional().describe('APPLY_FAILED, ENGINE_TIMEOUT of a reload: whether the previous configuration serves again'),
    free_bytes: z.number().int().optional().describe('STORAGE_FULL: bytes free in the state directory'),
    needed_bytes: z.number().int().optional().describe('STORAGE_FULL: bytes the apply needed there (with a margin)'),
    step: z.enum(['check', 'start', 'reload', 'verify']).optional().describe('ENGINE_TIMEOUT: the engine step that ran out of time'),
    timeout_ms: z.number().int().optional().describe('ENGINE_TIMEOUT: the budget it had (engine_timeout, scaled with the size of the configuration)'),
    vrrp_interface: z.string().optional().describe('VRRP_INTERFACE_MISSING: the configured [amphora_agent] vrrp_interface'),
    interfaces: names.optional().describe("VRRP_INTERFACE_MISSING: this VM's interfaces"),
  });

  const capabilities = obj({
    engine: z.enum(['haproxy', 'nginx']),
    version: z.string(),
    protocols: names.describe('listener protocols served'),
    algorithms: names,
    monitorTypes: names,
    persistenceTypes: names,
    l7RuleTypes: names,
    memberChanges: z.enum(['runtime', 'reload']).describe('member-only changes: applied through the engine runtime API where they allow it (runtime), or always by a reload'),
    restrictions: z.array(obj({ field: z.string().describe('the field, `[]` for every index'), rule: z.string() })).optional()
      .describe('what the engine refuses of a field, beyond the lists above (nginx); a document breaking one is refused with 400 naming the field'),
  }).describe('what the engine serves: a document asking for anything else is refused with 400');

  const info = obj({
    agent: z.literal('amphora-agent'),
    agent_version: z.string(),
    api_versions: names.describe(`today ${JSON.stringify(API_VERSIONS)}`),
    schema_version: z.string().describe('the newest document version this agent knows'),
    schema_versions: names.describe(`document versions accepted, today ${JSON.stringify(SUPPORTED_SCHEMA_VERSIONS)}`),
    engine: obj({ name: z.enum(['haproxy', 'nginx']), version: z.string().describe('e.g. 2.6.12'), full_version: z.string().describe("the binary's own version line") }),
    openssl_version: z.string(),
    node_version: z.string(),
    hostname: z.string(),
    amphora_id: z.string(),
    capabilities,
  });

  const listenerState = obj({
    status: z.enum(['OPEN', 'FULL', 'DOWN']),
    current_connections: z.number().int().optional(),
    total_connections: z.number().int().optional(),
  });
  const engineProcess = z.union([
    obj({
      running: z.boolean(),
      master_pid: z.number().int().nullable(),
      worker_pid: z.number().int().nullable(),
      old_worker_pids: z.array(z.number().int()),
      reloads: z.number().int().describe("the engine's own reload count"),
      failed_reloads: z.number().int(),
      stats_socket: z.string(),
      master_socket: z.string(),
    }),
    obj({ running: z.literal(false), error: z.string().describe('why the engine could not be asked') }),
  ]);

  // restarts of a process the agent supervises (the engine, keepalived)
  const supervision = {
    deaths: z.number().int().describe('times it was found dead since the agent started'),
    restarts: z.number().int().describe('times the agent started it again'),
    last_death_at: time.nullable(),
    last_restart_at: time.nullable(),
    last_restart_error: z.string().nullable().describe('why the last restart failed, until one succeeds'),
    next_restart_at: time.nullable().describe('while dead and waiting out the backoff'),
  };

  const details = obj({
    ...info.shape,
    applied_generation: generation.nullable(),
    config_hash: hash.nullable(),
    applied_at: time.nullable(),
    last_refused: obj({
      generation: z.number().int().nullable(),
      code: z.enum(ERROR_CODES),
      status: z.number().int(),
      message: z.string(),
      errors: z.array(validationError),
      at: time,
    }).nullable(),
    restore_error: z.string().nullable().describe('why restoring the stored document at start failed, or null'),
    counters: obj({
      reloads: z.number().int().describe('applies that reloaded (or started) the engine'),
      reloadFailures: z.number().int(),
      runtimeApplies: z.number().int().describe('member-only applies made through the engine runtime API, without a reload'),
      refused: z.number().int(),
    }).describe("this agent process's applies"),
    last_apply: obj({
      generation,
      path: z.enum(['reload', 'runtime', 'none']).describe('how the change reached the engine: a reload, runtime commands, or nothing to do (same files)'),
      reason: z.string().describe('why that path'),
      at: time,
      ms: z.number().int().describe('PUT to serving, milliseconds'),
    }).nullable(),
    load: z.array(z.number()).describe('1, 5 and 15 minute load averages'),
    memory: obj({ total_bytes: z.number().int(), free_bytes: z.number().int(), agent_rss_bytes: z.number().int() }),
    disk: obj({ total_bytes: z.number().int(), available_bytes: z.number().int() }).nullable().describe('of the state directory'),
    listeners: z.record(z.string(), listenerState).describe('every listener of the applied document, by listener_id'),
    engine_process: engineProcess,
    keepalived: obj({
      needed: z.boolean().describe('the applied document needs keepalived (VRRP, or LVS for UDP/SCTP listeners)'),
      running: z.boolean(),
      pid: z.number().int().nullable(),
      mode: obj({ vrrp: z.boolean(), lvs: z.boolean() }).nullable(),
      vrrp_interface: z.string().nullable(),
      vrrp_state: z.string().nullable().describe('MASTER, BACKUP or FAULT as keepalived last told'),
      vrrp_priority: z.number().int().nullable(),
      last_transition: time.nullable(),
      lvs: obj({ available: z.boolean(), reason: z.string().nullable().describe('why IPVS cannot serve, when not available') }).nullable(),
      ...supervision,
    }).nullable(),
    engine_supervisor: obj(supervision).nullable().describe('the engine restarted from the applied state when it dies (null until the agent is ready)'),
    heartbeat: obj({
      targets: names.describe('IP:PORT'),
      last_send_error: z.string().nullable(),
      running: z.boolean(),
      last_seq: z.number().int().nullable(),
      last_sent_at: time.nullable(),
      last_result: z.string().nullable(),
      lvs_unavailable: z.string().nullable().describe('why UDP/SCTP listeners are reported DOWN (no IPVS), or null'),
    }).nullable(),
  });

  const applyResult = obj({
    result: z.enum(['applied', 'unchanged']),
    generation,
    hash,
    reloaded: z.boolean().describe('whether the engine was reloaded (or started)'),
  });

  const validateResult = obj({
    valid: z.literal(true),
    generation,
    hash,
    unchanged: z.boolean().describe('a PUT of it now would be a no-op'),
  });

  const applied = obj({
    generation,
    hash,
    applied_at: time,
    status: z.literal('ACTIVE'),
    document: z.record(z.string(), z.unknown()).describe('the applied document with private keys and passphrases redacted'),
  });

  const configFiles = obj({
    generation,
    hash,
    main: z.string().describe("the engine's main file among files"),
    files: z.record(z.string(), z.string()).describe('relative path to content, private keys redacted'),
  });

  const deleted = obj({ deleted: z.boolean().describe('false when nothing was applied') });

  return { validationError, errorBody, capabilities, info, details, applyResult, validateResult, applied, configFiles, deleted };
}

type Api = ReturnType<typeof buildApiSchemas>;
export type InfoBody = z.infer<Api['info']>;
export type DetailsBody = z.infer<Api['details']>;
export type ApplyResultBody = z.infer<Api['applyResult']>;
export type ValidateResultBody = z.infer<Api['validateResult']>;
export type AppliedBody = z.infer<Api['applied']>;
export type ConfigFilesBody = z.infer<Api['configFiles']>;
export type DeletedBody = z.infer<Api['deleted']>;
export type ErrorBody = z.infer<Api['errorBody']>;
