/**
 * The one catalogue of errors the agent throws. Each class carries a stable
 * `code`, the HTTP `status` the API answers with, and the `cause` when it wraps
 * another error; handlers map them to responses without looking inside.
 */
import type { ValidationError } from '../schemas';
import type { ErrorBody } from '../schemas/api';

/** Base of every error the agent throws on purpose. */
export class AgentError extends Error {
  readonly code: string = 'AGENT_ERROR';
  readonly status: number = 500;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
  /** The JSON body the API answers with. */
  toBody(): ErrorBody {
    // CONFIG_INVALID never reaches the API: the start stops
    return { code: this.code as ErrorBody['code'], message: this.message };
  }
}

/** The configuration file is unreadable or holds a bad value; the start stops. */
export class ConfigError extends AgentError {
  override readonly code = 'CONFIG_INVALID';
  /** `section` '' is the file as a whole (unreadable). */
  constructor(readonly section: string, readonly key: string, message: string, options?: { cause?: unknown }) {
    super(section ? `[${section}] ${key}: ${message}` : message, options);
  }
}

/** The request body is not JSON, or not a JSON object. */
export class MalformedBody extends AgentError {
  override readonly code = 'MALFORMED_BODY';
  override readonly status = 400;
}

/** The request body is larger than `max_request_bytes`. */
export class BodyTooLarge extends AgentError {
  override readonly code = 'BODY_TOO_LARGE';
  override readonly status = 413;
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes (max_request_bytes)`);
  }
}

/** Validating and rendering the document took more memory than the worker may use: refused like a body over the limit. */
export class DocumentTooLarge extends AgentError {
  override readonly code = 'DOCUMENT_TOO_LARGE';
  override readonly status = 413;
  constructor(readonly heapMb: number) {
    super(`the document needs more than the ${heapMb} MiB the agent gives validation and rendering; it is over what this agent serves (docs/configuration.md, "Limits")`);
  }
}

/** The document does not validate: every problem with its path. */
export class DocumentInvalid extends AgentError {
  override readonly code = 'DOCUMENT_INVALID';
  override readonly status = 400;
  constructor(readonly errors: ValidationError[]) {
    super(`the document has ${errors.length} error(s)`);
  }
  override toBody(): ErrorBody {
    return { ...super.toBody(), errors: this.errors };
  }
}

/** The document's generation is lower than the applied one. */
export class StaleGeneration extends AgentError {
  override readonly code = 'GENERATION_STALE';
  override readonly status = 409;
  constructor(readonly generation: number, readonly applied: number) {
    super(`generation ${generation} is lower than the applied generation ${applied}`);
  }
  override toBody(): ErrorBody {
    return { ...super.toBody(), generation: this.generation, applied_generation: this.applied };
  }
}

/** Same generation as the applied one, different content. */
export class GenerationConflict extends AgentError {
  override readonly code = 'GENERATION_CONFLICT';
  override readonly status = 409;
  constructor(readonly generation: number) {
    super(`generation ${generation} is already applied with different content`);
  }
  override toBody(): ErrorBody {
    return { ...super.toBody(), generation: this.generation, applied_generation: this.generation };
  }
}

/** The renderer could not turn a valid document into files (a renderer limit, not a user typo). */
export class RenderFailed extends AgentError {
  override readonly code = 'RENDER_FAILED';
  override readonly status = 422;
}

/** The engine refused the rendered configuration (`haproxy -c`); nothing changed. */
export class EngineRefused extends AgentError {
  override readonly code = 'ENGINE_REFUSED';
  override readonly status = 422;
  constructor(message: string, readonly output: string, readonly candidateDir?: string) {
    super(message);
  }
  override toBody(): ErrorBody {
    return { ...super.toBody(), engine_output: this.output, candidate_dir: this.candidateDir };
  }
}

/** Reload or verification failed; the previous configuration was restored. */
export class ApplyFailed extends AgentError {
  override readonly code = 'APPLY_FAILED';
  override readonly status = 503;
  constructor(message: string, readonly rolledBack: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
  override toBody(): ErrorBody {
    return { ...super.toBody(), rolled_back: this.rolledBack };
  }
}

/**
 * An engine step (check, start, reload, verification) did not finish within
 * its time budget (docs/configuration.md, `engine_timeout`): not a refusal of
 * the file. In an apply, `rolledBack` says whether the previous configuration
 * serves again.
 */
export class EngineTimeout extends AgentError {
  override readonly code = 'ENGINE_TIMEOUT';
  override readonly status = 504;
  constructor(readonly step: 'check' | 'start' | 'reload' | 'verify', readonly timeoutMs: number, message?: string, readonly rolledBack?: boolean, options?: { cause?: unknown }) {
    super(message ?? `the engine's ${step} did not finish within ${timeoutMs} ms`, options);
  }
  override toBody(): ErrorBody {
    return { ...super.toBody(), step: this.step, timeout_ms: this.timeoutMs, ...(this.rolledBack === undefined ? {} : { rolled_back: this.rolledBack }) };
  }
}

const roomNote = (needed: number | null, free: number | null): string => {
  const parts = [needed === null ? '' : `needs ${needed} bytes`, free === null ? '' : `${free} bytes free`].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
};

/** The state directory has no room for what an apply must write (507); nothing changed, or it was rolled back. */
export class StorageFull extends AgentError {
  override readonly code = 'STORAGE_FULL';
  override readonly status = 507;
  /** `rolledBack`: set when it failed after the engine had reloaded (the commit), with `message` telling the whole story. */
  readonly rolledBack?: boolean;
  constructor(readonly dir: string, readonly what: string, readonly neededBytes: number | null, readonly freeBytes: number | null, options?: { cause?: unknown; rolledBack?: boolean; message?: string }) {
    super(options?.message ?? `the state directory ${dir} has no room for ${what}${roomNote(neededBytes, freeBytes)}`, options);
    this.rolledBack = options?.rolledBack;
  }
  override toBody(): ErrorBody {
    return {
      ...super.toBody(), ...(this.freeBytes === null ? {} : { free_bytes: this.freeBytes }), ...(this.neededBytes === null ? {} : { needed_bytes: this.neededBytes }),
      ...(this.rolledBack === undefined ? {} : { rolled_back: this.rolledBack }),
    };
  }
}

/** The engine process could not be run or did not answer. */
export class EngineFailed extends AgentError {
  override readonly code = 'ENGINE_FAILED';
  override readonly status = 503;
}

/** Nothing is applied. */
export class NotApplied extends AgentError {
  override readonly code = 'NOT_APPLIED';
  override readonly status = 404;
  constructor() {
    super('no document is applied');
  }
}

/** No such route. */
export class RouteNotFound extends AgentError {
  override readonly code = 'NOT_FOUND';
  override readonly status = 404;
}

/** Turns anything thrown into an AgentError (unknown errors become a 500 that keeps the cause). */
export function asAgentError(e: unknown): AgentError {
  if (e instanceof AgentError) return e;
  return new AgentError(e instanceof Error ? e.message : String(e), { cause: e });
}

/** The configured VRRP interface does not exist on this VM: keepalived cannot run the document's VRRP instance (422; nothing changed). */
export class VrrpInterfaceMissing extends AgentError {
  override readonly code = 'VRRP_INTERFACE_MISSING';
  override readonly status = 422;
  constructor(readonly iface: string, readonly available: string[]) {
    super(`[amphora_agent] vrrp_interface: ${iface} does not exist on this VM (its interfaces: ${available.join(', ') || 'none'}); the ACTIVE_STANDBY document needs it for VRRP, so set vrrp_interface to the NIC that carries the VIP`);
  }
  override toBody(): ErrorBody {
    return { ...super.toBody(), vrrp_interface: this.iface, interfaces: this.available };
  }
}
