/** What the apply transaction answers and remembers; the API and the daemon read these. */
import type { ValidationError } from '../../schemas';
import type { AppliedState } from '../state/store';
import type { Document } from '../../schemas/document';

export interface ApplyResult {
  result: 'applied' | 'unchanged';
  generation: number;
  hash: string;
  reloaded: boolean;
}

export interface Refusal {
  generation: number | null;
  code: string;
  status: number;
  errors: ValidationError[];
  message: string;
  at: string;
}

export interface ApplyCounters {
  reloads: number;
  reloadFailures: number;
  refused: number;
}

/** What the daemon and the API read; never mutated by them. */
export interface Applier {
  apply(input: unknown): Promise<ApplyResult>;
  /** Everything apply does short of touching the running engine. */
  validate(input: unknown): Promise<{ valid: true; generation: number; hash: string; unchanged: boolean }>;
  /** Stops serving and forgets the document (DELETE). */
  remove(): Promise<{ deleted: boolean }>;
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
}
