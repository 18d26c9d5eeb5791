/**
 * The apply transaction over the fake engine (test/lib/fake-engine.ts) in a
 * temp state dir, for unit tests of the applier's own logic.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInProcessPreparer } from '../../agent/apply/prepare';
import { createApplier, type ApplierDeps } from '../../agent/apply/transaction';
import { nullLogger } from '../../agent/log';
import { createStateStore } from '../../agent/state/store';
import { haproxyCapabilities } from '../../renderers/capabilities';
import { loadExample } from './examples';
import { fakeEngine, fakeRender } from './fake-engine';

/** A state dir, the fake engine and an applier over them; `make` builds another applier (an agent restart). */
export function applierFixture(extra: Partial<ApplierDeps> = {}) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'applier-'));
  const { e, engine } = fakeEngine(stateDir);
  const store = createStateStore(stateDir);
  const make = (more: Partial<ApplierDeps> = {}) => createApplier({
    stateDir, engine, store, log: nullLogger(), sleep: async () => undefined, verifyTimeoutMs: 0, settleTimeoutMs: 0,
    diagnose: async () => null,
    prepare: createInProcessPreparer({ capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(stateDir, 'run'), fdLimit: 1024 }, fakeRender),
    ...extra, ...more,
  });
  return { stateDir, e, engine, store, applier: make(), make, cleanup: () => fs.rmSync(stateDir, { recursive: true, force: true }) };
}

/** The http-basic example at `generation` with the first member's weight set (weights tell configs apart). */
export function weightedDoc(generation: number, weight = 1) {
  const d = loadExample('http-basic');
  d.generation = generation;
  d.loadbalancer.pools[0].members[0].weight = weight;
  return d;
}
