/** What the apply transaction answers and remembers; the API and the daemon read these. */
import type { ValidationError } from '../../schemas';
import type { ApplyResultBody, DeletedBody, ErrorBody, ValidateResultBody } from '../../schemas/api';
import type { AppliedState } from '../state/store';
import type { Document } from '../../schemas/document';

/** PUT /v1/loadbalancer's answer (schemas/api.ts). */
export type ApplyResult = ApplyResultBody;

export interface Refusal {
  generation: number | null;
  code: ErrorBody['code'];
  status: number;
  errors: ValidationError[];
  message: string;
  at: string;
}

export interface ApplyCounters {
  reloads: number;
  reloadFailures: number;
  /** applies of member-only changes through the engine's runtime API, without a reload */
  runtimeApplies: number;
  refused: number;
}

/** How the last apply that changed something reached the engine, and why that way. */
export interface LastApply {
  generation: number;
  path: 'reload' | 'runtime' | 'none';
  /** a change beyond members names where the documents first differ, added just after the answer (it parses both) */
  reason: string;
  at: string;
  ms: number;
}

/** What the daemon and the API read; never mutated by them. */
export interface Applier {
  apply(input: unknown): Promise<ApplyResult>;
  /** Everything apply does short of touching the running engine. */
  validate(input: unknown): Promise<ValidateResultBody>;
  /** Stops serving and forgets the document (DELETE). */
  remove(): Promise<DeletedBody>;
  /** At start: restore the stored state and make sure it is serving. */
  restore(): Promise<void>;
  /** Resolves once every queued apply or delete has finished (shutdown). */
  drain(): Promise<void>;
  applied(): AppliedState | null;
  /** The applied document as validated (defaults filled in), or null. */
  appliedDoc(): Document | null;
  /**
   * Renders the applied document again with the render context of now (the
   * agent's monitors hold other members DOWN) and serves the files when they
   * differ, as an apply of the same generation would. Null: nothing applied.
   */
  refresh(): Promise<{ reloaded: boolean } | null>;
  lastRefused(): Refusal | null;
  restoreError(): string | null;
  counters(): ApplyCounters;
  lastApply(): LastApply | null;
  /** For the engine's supervisor: idle (nothing applied), running, or dead (applied and not running). Waits for an apply in flight. */
  engineHealth(): Promise<'idle' | 'running' | 'dead'>;
  /** Starts the engine again from the applied state when it should run and does not; false when there was nothing to do. */
  restartEngine(): Promise<boolean>;
}
