/** Worker-thread entry: answers `{id, input, context?}` with `{id, result: Prepared}` (see worker-preparer.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import type { RenderContext } from '../../renderers/types';
import { createInProcessPreparer } from './prepare';

const prepare = createInProcessPreparer((workerData as { context: RenderContext }).context);

parentPort?.on('message', (m: { id: number; input: unknown; context?: RenderContext }) => {
  void prepare(m.input, m.context).then(
    (result) => parentPort?.postMessage({ id: m.id, result }),
    (e: unknown) => parentPort?.postMessage({ id: m.id, error: (e as Error)?.message ?? String(e) }),
  );
});
