/** The engine served again: after it died (supervisor), on a PUT of the applied generation, after a failed apply; never over a reload in progress. */
import type { Engine, EngineStatus } from '../engines/types';
import { applierFixture, weightedDoc } from '../../test/lib/applier-fixture';
import { loadedConfig, markLoaded, settle } from './reconcile';
import { configLayout } from './staging';

describe('engine supervision through the applier', () => {
  let t: ReturnType<typeof applierFixture>;
  beforeEach(() => { t = applierFixture(); });
  afterEach(() => t.cleanup());

  it('is idle with nothing applied, running once applied, dead when the engine is gone', async () => {
    expect(await t.applier.engineHealth()).toBe('idle');
    expect(await t.applier.restartEngine()).toBe(false);
    await t.applier.apply(weightedDoc(1, 4));
    expect(await t.applier.engineHealth()).toBe('running');
    expect(await t.applier.restartEngine()).toBe(false);
    t.e.running = false;
    expect(await t.applier.engineHealth()).toBe('dead');
  });

  it('restarts a dead engine from current, serving the applied generation', async () => {
    await t.applier.apply(weightedDoc(1, 4));
    t.e.running = false;
    t.e.serving = '';
    expect(await t.applier.restartEngine()).toBe(true);
    expect(t.e.starts).toBe(2);
    expect(t.e.serving).toContain('weights 4,3');
    expect(await t.applier.engineHealth()).toBe('running');
  });

  it('re-serves the applied generation on a PUT of it while the engine is down, instead of answering unchanged', async () => {
    await t.applier.apply(weightedDoc(1, 4));
    expect(await t.applier.apply(weightedDoc(1, 4))).toMatchObject({ result: 'unchanged', reloaded: false });
    t.e.running = false;
    expect(await t.applier.apply(weightedDoc(1, 4))).toMatchObject({ result: 'applied', generation: 1, reloaded: true });
    expect(t.e.running).toBe(true);
    expect(t.e.serving).toContain('weights 4,3');
    expect(await t.applier.apply(weightedDoc(1, 4))).toMatchObject({ result: 'unchanged' });
  });

  it('reloads a running engine that does not serve the applied listeners on a PUT of the applied generation', async () => {
    await t.applier.apply(weightedDoc(1, 4));
    t.e.serving = 'listeners none\n';
    expect(await t.applier.apply(weightedDoc(1, 4))).toMatchObject({ result: 'applied', reloaded: true });
    expect(t.e.serving).toContain('weights 4,3');
  });

  it('stops and starts the engine when reloading back to the last good state fails too, and says so', async () => {
    await t.applier.apply(weightedDoc(1, 1));
    t.e.failReload = 2;
    const err = await t.applier.apply(weightedDoc(2, 9)).catch((x) => x);
    expect(err).toMatchObject({ status: 503, code: 'APPLY_FAILED', rolledBack: true });
    expect(err.message).toContain('generation 1 is serving again (the engine was stopped and started)');
    expect(t.e.serving).toContain('weights 1,3');
    expect(t.e.starts).toBe(2);
  });
});

describe('settle', () => {
  const base: EngineStatus = { running: true, masterPid: 1, workerPid: 2, oldWorkerPids: [], reloads: 1, failedReloads: 0, statsSocket: '', masterSocket: '' };
  const engineAnswering = (answers: (EngineStatus | Error)[]): Engine => ({
    status: async () => {
      const a = answers.length > 1 ? answers.shift()! : answers[0];
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as Engine);

  it('waits while the master does not answer (re-executing), then returns', async () => {
    let t = 0;
    const e = engineAnswering([new Error('connect ECONNREFUSED master.sock'), new Error('ECONNREFUSED'), base]);
    expect(await settle(e, 1000, () => t, async (ms) => void (t += ms))).toBe(true);
    expect(t).toBe(100);
  });

  it('counts an engine that is gone as settled, and gives up after the deadline', async () => {
    let t = 0;
    expect(await settle(engineAnswering([{ ...base, running: false }]), 1000, () => t, async () => undefined)).toBe(true);
    expect(await settle(engineAnswering([new Error('ECONNREFUSED')]), 1000, () => t, async (ms) => void (t += ms))).toBe(false);
    expect(t).toBeGreaterThan(1000);
  });
});

describe('restore after an agent killed mid-apply', () => {
  let t: ReturnType<typeof applierFixture>;
  beforeEach(() => { t = applierFixture(); });
  afterEach(() => t.cleanup());

  it('reloads, rather than adopts, an engine not verified to serve the committed files', async () => {
    await t.applier.apply(weightedDoc(1, 1));
    // killed during a rollback: `current` points back, but the engine had loaded other files and nothing recorded them as verified
    markLoaded(configLayout(t.stateDir), null);
    t.e.serving = 'listeners x\nweights 9,9\n';
    const again = t.make();
    await again.restore();
    expect(t.e.reloads).toBe(1);
    expect(t.e.serving).toContain('weights 1,3');
    expect(again.applied()?.generation).toBe(1);
  });

  it('adopts the engine without a reload when it was verified to serve the committed files', async () => {
    await t.applier.apply(weightedDoc(1, 1));
    expect(loadedConfig(configLayout(t.stateDir))).toBe(t.store.load().state?.configDir);
    await t.make().restore();
    expect(t.e.reloads).toBe(0);
  });
});
