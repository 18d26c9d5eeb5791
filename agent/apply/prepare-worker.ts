/**
 * Worker-process entry (see worker-preparer.ts): takes `{init: context}`
 * first, then answers `{id, input, context?}` with `{id, result: Prepared}`.
 * Exits with its parent.
 */
import type { RenderContext } from '../../renderers/types';
import { createInProcessPreparer, type Preparer } from './prepare';

let prepare: Preparer | null = null;

process.on('message', (m: { init?: RenderContext; id?: number; input?: unknown; context?: RenderContext }) => {
  if (m.init) {
    prepare = createInProcessPreparer(m.init);
    return;
  }
  const id = m.id;
  if (!prepare) {
    process.send?.({ id, error: 'the worker was not given its render context' });
    return;
  }
  void prepare(m.input, m.context).then(
    (result) => process.send?.({ id, result }),
    (e: unknown) => process.send?.({ id, error: (e as Error)?.message ?? String(e) }),
  );
});
// the daemon gone (killed), nothing is left to answer
process.on('disconnect', () => process.exit(0));
