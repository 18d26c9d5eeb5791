/**
 * The agent's answers as the controller reads them: the fields of
 * `GET /v1/info`, `GET /v1/details`, `PUT /v1/loadbalancer` and its
 * `/validate` that this side acts on, taken from what a real agent sends
 * (test/integration/ctl-client.test.ts checks them against one). Extra
 * fields are allowed: the agent may add some without a new API version.
 */
import type { EngineCapabilities } from '../schemas/capabilities';
import type { ValidationError } from '../schemas/validate';

/** GET /v1/info */
export interface AgentInfo {
  agent_version: string;
  api_versions: string[];
  /** the document's current version, e.g. "1.0" */
  schema_version: string;
  /** versions a document may carry, e.g. ["1.x"] */
  schema_versions: string[];
  engine: { name: string; version: string; full_version?: string };
  openssl_version: string;
  hostname: string;
  amphora_id: string | null;
  capabilities: EngineCapabilities;
  [k: string]: unknown;
}

/** What an agent remembers of its last refused push. */
export interface Refusal {
  generation: number | null;
  code: string;
  status: number;
  message: string;
  errors: ValidationError[];
  at: string;
}

/** GET /v1/details */
export interface AgentDetails extends AgentInfo {
  applied_generation: number | null;
  config_hash: string | null;
  applied_at?: string | null;
  last_refused: Refusal | null;
  listeners: Record<string, { status: string; [k: string]: unknown }>;
  engine_process: { running: boolean; master_pid?: number | null; worker_pid?: number | null; [k: string]: unknown };
  heartbeat: { targets: string[]; last_send_error: string | null; [k: string]: unknown } | null;
}

/** 200 of PUT /v1/loadbalancer */
export interface ApplyAnswer {
  result: 'applied' | 'unchanged';
  generation: number;
  hash: string;
  reloaded: boolean;
}

/** 200 of POST /v1/loadbalancer/validate; `unchanged` is true when the document is exactly the applied one */
export interface ValidateAnswer {
  valid: true;
  generation: number;
  hash: string;
  unchanged: boolean;
}

/** Every answer other than 2xx. */
export interface ErrorAnswer {
  code: string;
  message: string;
  /** DOCUMENT_INVALID */
  errors?: ValidationError[];
  /** GENERATION_STALE, GENERATION_CONFLICT */
  generation?: number;
  applied_generation?: number;
  /** ENGINE_REFUSED */
  engine_output?: string;
  candidate_dir?: string;
  /** APPLY_FAILED */
  rolled_back?: boolean;
}

/** True when `body` has the shape of an error answer. */
export function isErrorAnswer(body: unknown): body is ErrorAnswer {
  return !!body && typeof body === 'object' && typeof (body as ErrorAnswer).code === 'string' && typeof (body as ErrorAnswer).message === 'string';
}
