/**
 * The state record of an apply: written to its temp file before the engine
 * is touched (no room is a 507 while nothing has changed), committed by
 * renames once the engine serves; a commit that still fails sends the engine
 * back to the last good state, so disk, API and engine agree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplyFailed, StorageFull } from '../errors';
import type { Logger } from '../log';
import { writing } from '../state/space';
import type { AppliedState, StagedState, StateStore } from '../state/store';
import type { RollbackOutcome } from './rollback';

/** Stages the record; on failure removes the candidate `configs/<state.configDir>` too. */
export function stageState(store: StateStore, stateDir: string, configsDir: string, state: AppliedState): StagedState {
  try {
    return writing(stateDir, 'the new state record', () => store.stage(state));
  } catch (e) {
    fs.rmSync(path.join(configsDir, state.configDir), { recursive: true, force: true });
    throw e;
  }
}

/** Commits a staged record after the reload; if that fails, rolls back (`rollBack`) and throws the error that says what happened. */
export async function commitStaged(
  d: { store: StateStore; stateDir: string; log: Logger },
  staged: StagedState,
  state: AppliedState,
  rollBack: () => Promise<RollbackOutcome>,
): Promise<void> {
  try {
    writing(d.stateDir, 'the new state record', () => staged.commit());
  } catch (e) {
    d.log.error('writing the applied state failed after the reload; rolling the engine back', { generation: state.generation, error: e });
    staged.discard();
    // the renames may have gone through before the failure (an fsync of the directory)
    if (d.store.load().state?.configDir === state.configDir) d.store.revert();
    const { rolledBack, tail } = await rollBack();
    const what = `applying generation ${state.generation} failed: its state could not be written (${(e as Error).message}); ${tail}`;
    if (e instanceof StorageFull) throw new StorageFull(e.dir, e.what, e.neededBytes, e.freeBytes, { cause: e, rolledBack, message: what });
    throw new ApplyFailed(what, rolledBack, { cause: e });
  }
}
