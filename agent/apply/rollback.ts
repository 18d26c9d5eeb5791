/**
 * Putting the last good state back after a failed activation or commit:
 * reconcile the engine to it (settle, reload, or stop and start), serve the
 * sidecars with it, and say how; with no last good state, stop serving.
 */
import type { RenderOutput } from '../../renderers/types';
import type { Logger } from '../log';
import type { AppliedState } from '../state/store';
import type { LazyDocument } from '../state/document-text';
import { reconcile, type ReconcileDeps, type ServedState } from './reconcile';
import type { Sidecar } from './sidecar';
import { removeCurrent } from './staging';

/** The applied state and its validated document. */
export interface LastGood {
  state: AppliedState;
  doc: LazyDocument;
}

export interface RollbackDeps {
  reconcile: ReconcileDeps;
  sidecars: Sidecar[];
  log: Logger;
  /** what the engine must serve for a state (with its step budget) */
  servedState(s: AppliedState): ServedState;
  /** how long to wait for a reload of these files still under way */
  settleMs(files: Record<string, string>): number;
}

/** Whether the last good state serves again, and the end of the sentence that tells the client. */
export interface RollbackOutcome {
  rolledBack: boolean;
  tail: string;
}

/** The render output a state was committed with. */
export const outputOf = (s: AppliedState): RenderOutput => ({ files: s.files, main: s.main, secrets: s.secrets, serves: s.serves });

/** Makes the engine serve `prev` again (or stops it when there was none); never throws. */
export async function rollBack(d: RollbackDeps, prev: LastGood | null, failed: RenderOutput): Promise<RollbackOutcome> {
  const { engine, layout } = d.reconcile;
  if (!prev) {
    removeCurrent(layout);
    await engine.stop().catch((e) => d.log.error('stopping the engine after a failed first apply failed', { error: e }));
    for (const s of d.sidecars) await s.stop().catch((e) => d.log.error(`stopping ${s.name} after a failed first apply failed`, { error: e }));
    return { rolledBack: true, tail: 'nothing was serving before' };
  }
  try {
    // whatever the failed step left behind; the engine may still be parsing the failed files: settle within their budget
    const r = await reconcile(d.reconcile, d.servedState(prev.state), { settleMs: d.settleMs(failed.files), force: true });
    for (const s of d.sidecars) await s.serve(layout.currentLink, outputOf(prev.state), prev.doc);
    const how = r === 'restarted' ? ' (the engine was stopped and started)' : r === 'started' ? ' (the engine was started)' : '';
    return { rolledBack: true, tail: `generation ${prev.state.generation} is serving again${how}` };
  } catch (e) {
    d.log.error('restoring the previous configuration failed', { generation: prev.state.generation, error: e });
    return { rolledBack: false, tail: 'restoring the previous configuration failed too' };
  }
}
