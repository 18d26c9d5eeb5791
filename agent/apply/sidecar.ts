/**
 * A process the applied document may need beside the engine (keepalived for
 * VRRP and LVS). The apply transaction checks it with the engine's check,
 * serves it after the engine serves, restores it with the engine on rollback
 * and stops it on DELETE.
 */
import type { Document } from '../../schemas/document';
import type { RenderOutput } from '../../renderers/types';
import type { CheckResult } from '../engines/types';
import type { LazyDocument } from '../state/document-text';

export interface Sidecar {
  readonly name: string;
  /** the rendered file without which serve() does not read the document (keepalived's configuration); absent: it may read it always */
  readonly documentWith?: string;
  /**
   * Checks a staged candidate in `dir` (its relative paths `files`, of a
   * document with this `amphora` block); `ok: false` is a 422 with its words,
   * a thrown AgentError answers as itself.
   */
  check(dir: string, files: string[], amphora: Document['amphora']): Promise<CheckResult>;
  /**
   * Makes it run what `configDir` holds for `doc` (parsed when called; a sidecar whose files are not among `out` need
   * not): start, reload only when its files changed, or stop when it is not needed.
   */
  serve(configDir: string, out: RenderOutput, doc: LazyDocument): Promise<void>;
  /** Stops it (DELETE, a failed first apply). */
  stop(): Promise<void>;
}
