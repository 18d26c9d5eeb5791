/** A full state disk during an apply: found before the swap when possible; a commit that still fails rolls the engine back so disk, API and engine agree. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StateStore } from '../state/store';
import { applierFixture, weightedDoc } from '../../test/lib/applier-fixture';

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** The real store with a write that fails: the staged temp file, or the commit (before or after its renames). */
function failingStore(real: StateStore, fail: { stage?: boolean; commit?: 'before' | 'after' }): StateStore {
  return {
    ...real,
    stage(state) {
      if (fail.stage) throw enospc();
      const staged = real.stage(state);
      return {
        ...staged,
        commit() {
          if (fail.commit === 'after') staged.commit();
          if (fail.commit) throw fail.commit === 'after' ? Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }) : enospc();
          staged.commit();
        },
      };
    },
  };
}

describe('a full state disk in the apply transaction', () => {
  let t: ReturnType<typeof applierFixture>;
  beforeEach(() => { t = applierFixture(); });
  afterEach(() => t.cleanup());

  const configs = () => fs.readdirSync(path.join(t.stateDir, 'configs'));

  it('answers 507 STORAGE_FULL when the state record cannot be staged, before the engine is touched', async () => {
    await t.applier.apply(weightedDoc(1, 1));
    const before = configs();
    const a = t.make({ store: failingStore(t.store, { stage: true }) });
    await a.restore();
    const err = await a.apply(weightedDoc(2, 5)).catch((x) => x);
    expect(err).toMatchObject({ status: 507, code: 'STORAGE_FULL', what: 'the new state record' });
    expect(t.e.reloads).toBe(0);
    expect(configs()).toEqual(before);
    expect(a.applied()?.generation).toBe(1);
    expect(a.lastRefused()).toMatchObject({ generation: 2, code: 'STORAGE_FULL', status: 507 });
  });

  it('rolls the engine back when the commit fails after the reload, and reports it as a full disk', async () => {
    await t.applier.apply(weightedDoc(1, 1));
    const a = t.make({ store: failingStore(t.store, { commit: 'before' }) });
    await a.restore();
    const err = await a.apply(weightedDoc(2, 5)).catch((x) => x);
    expect(err).toMatchObject({ status: 507, code: 'STORAGE_FULL', rolledBack: true });
    expect(err.message).toContain('its state could not be written');
    expect(err.message).toContain('generation 1 is serving again');
    expect(err.toBody()).toMatchObject({ rolled_back: true });
    expect(t.e.serving).toContain('weights 1,3');
    expect(a.applied()?.generation).toBe(1);
    expect(t.store.load().state?.generation).toBe(1);
    expect(fs.readlinkSync(path.join(t.stateDir, 'current'))).toBe(`configs/${t.store.load().state?.configDir}`);
    expect(a.lastRefused()).toMatchObject({ generation: 2, code: 'STORAGE_FULL' });
  });

  it('puts the previous record back when the commit failed after its renames (503, rolled back)', async () => {
    await t.applier.apply(weightedDoc(1, 1));
    const a = t.make({ store: failingStore(t.store, { commit: 'after' }) });
    await a.restore();
    const err = await a.apply(weightedDoc(2, 5)).catch((x) => x);
    expect(err).toMatchObject({ status: 503, code: 'APPLY_FAILED', rolledBack: true });
    expect(t.store.load().state?.generation).toBe(1);
    expect(t.e.serving).toContain('weights 1,3');
  });

  it('stops the engine when the first apply cannot be committed: nothing was serving before', async () => {
    const a = t.make({ store: failingStore(t.store, { commit: 'before' }) });
    const err = await a.apply(weightedDoc(1, 1)).catch((x) => x);
    expect(err).toMatchObject({ status: 507, rolledBack: true });
    expect(err.message).toContain('nothing was serving before');
    expect(t.e.running).toBe(false);
    expect(a.applied()).toBeNull();
    expect(t.store.load().state).toBeNull();
  });
});
