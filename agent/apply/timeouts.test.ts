/** Steps that run out of time in an apply: reported as ENGINE_TIMEOUT, never as a refusal; a late reload is rolled back and said so. */
import { EngineTimeout } from '../errors';
import { applierFixture, weightedDoc } from '../../test/lib/applier-fixture';
import { PER_MIB_MS, stepBudgetMs } from './budget';

describe('engine timeouts in the apply transaction', () => {
  let t: ReturnType<typeof applierFixture>;
  beforeEach(() => { t = applierFixture(); });
  afterEach(() => t.cleanup());

  it('answers a check that ran out of time with ENGINE_TIMEOUT (504), changing nothing, remembered as refused', async () => {
    const budgets: (number | undefined)[] = [];
    const a = t.make({ engine: { ...t.engine, check: async (_dir, _main, o) => { budgets.push(o?.timeoutMs); throw new EngineTimeout('check', o?.timeoutMs ?? 0); } }, engineTimeoutMs: 2000 });
    const err = await a.apply(weightedDoc(1)).catch((x) => x);
    expect(err).toMatchObject({ status: 504, code: 'ENGINE_TIMEOUT', step: 'check' });
    expect(budgets[0]).toBeGreaterThanOrEqual(2000);
    expect(a.applied()).toBeNull();
    expect(t.e.running).toBe(false);
    expect(a.lastRefused()).toMatchObject({ generation: 1, code: 'ENGINE_TIMEOUT', status: 504 });
  });

  it('answers a reload that ran out of time with ENGINE_TIMEOUT and rolled_back, the previous generation serving again', async () => {
    let late = 1;
    const a = t.make({
      engine: {
        ...t.engine,
        reload: async (next, o) => {
          await t.engine.reload(next, o);
          if (late-- > 0) throw new EngineTimeout('reload', o?.timeoutMs ?? 0);
        },
      },
    });
    await a.apply(weightedDoc(1, 1));
    const err = await a.apply(weightedDoc(2, 7)).catch((x) => x);
    expect(err).toMatchObject({ status: 504, code: 'ENGINE_TIMEOUT', step: 'reload', rolledBack: true });
    expect(err.toBody()).toMatchObject({ rolled_back: true, step: 'reload' });
    expect(err.message).toContain('generation 1 is serving again');
    // the late reload had loaded generation 2; the rollback reloaded generation 1 after it
    expect(t.e.serving).toContain('weights 1,3');
    expect(a.applied()?.generation).toBe(1);
  });
});

describe('step budgets', () => {
  it('grow with the rendered files: the base plus a share per MiB', () => {
    expect(stepBudgetMs({ 'a.cfg': 'x' }, 30000)).toBe(30000);
    expect(stepBudgetMs({ 'a.cfg': 'x'.repeat(1 << 20), 'b.pem': 'y'.repeat(1 << 20) }, 30000)).toBe(30000 + 2 * PER_MIB_MS);
  });
});
