/**
 * Documents past what the agent can apply are refused, never an OOM: over a
 * size limit is a 400 naming the field (before the schema runs), and a
 * document whose validation outgrows the worker's heap is a 413 while the
 * worker (and the daemon) go on serving the next document. The worker runs
 * compiled, as in the daemon, here with a small heap to get there quickly.
 */
import * as path from 'node:path';
import { haproxyCapabilities } from '../../renderers/capabilities';
import { createWorkerPreparer } from '../../agent/apply/worker-preparer';
import { MAX_MEMBERS_PER_POOL } from '../../schemas/limits';
import { ROOT } from '../lib/agent-harness';
import { loadExample } from '../lib/examples';
import { genLarge } from '../lib/gen-large';

jest.setTimeout(60000);

const workerFile = path.join(ROOT, 'dist/agent/apply/prepare-worker.js');
const context = { capabilities: haproxyCapabilities('2.6.12'), runDir: '/run/amphora-agent', fdLimit: 20000 };

it('refuses a pool over the member limit, naming it, without validating the rest', async () => {
  const w = createWorkerPreparer({ context, workerFile });
  try {
    const r = await w.prepare(genLarge(1, MAX_MEMBERS_PER_POOL + 1, 0));
    expect(r).toEqual({ ok: false, errors: [{ path: 'loadbalancer.pools[0].members', message: expect.stringContaining(`at most ${MAX_MEMBERS_PER_POOL}`) }] });
  } finally {
    await w.close();
  }
});

it('answers DOCUMENT_TOO_LARGE (413) when validation outgrows the worker heap, and serves the next document', async () => {
  const w = createWorkerPreparer({ context, workerFile, heapMb: 24 });
  try {
    const err = await w.prepare(genLarge(3, 8000, 0)).catch((e) => e);
    expect(err).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', status: 413, heapMb: 24 });
    expect((await w.prepare(loadExample('http-basic'))).ok).toBe(true);
  } finally {
    await w.close();
  }
});
