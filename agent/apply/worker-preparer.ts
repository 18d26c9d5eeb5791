/**
 * Runs `prepareDocument` in a worker thread that exits after `idleMs` without
 * work: the daemon's idle memory then holds neither zod, nor the templates,
 * nor the garbage of the last document (measured: ~20 MB less RSS at idle).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RenderContext } from '../../renderers/types';
import { DocumentTooLarge } from '../errors';
import type { Prepared, Preparer } from './prepare';

/**
 * The worker's V8 old generation, MiB: the largest accepted document needs
 * about a third of it (schemas/limits.ts); past it the worker stops with
 * ERR_WORKER_OUT_OF_MEMORY and the document is refused (413), the daemon unharmed.
 */
export const WORKER_HEAP_MB = 256;

export interface WorkerPreparer {
  prepare: Preparer;
  /** Stops the worker now (pending calls fail). */
  close(): Promise<void>;
}

interface Pending {
  resolve(p: Prepared): void;
  reject(e: Error): void;
}

/** A preparer backed by one lazily started worker thread, stopped when idle. */
export function createWorkerPreparer(o: { context: RenderContext; idleMs?: number; workerFile?: string; onIdle?: () => void; heapMb?: number }): WorkerPreparer {
  const heapMb = o.heapMb ?? WORKER_HEAP_MB;
  const file = o.workerFile ?? path.join(__dirname, 'prepare-worker.js');
  const idleMs = o.idleMs ?? 10_000;
  const pending = new Map<number, Pending>();
  let worker: Worker | null = null;
  let idle: NodeJS.Timeout | null = null;
  let seq = 0;

  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const stop = async () => {
    const w = worker;
    worker = null;
    if (idle) clearTimeout(idle);
    idle = null;
    if (w) await w.terminate();
    o.onIdle?.();
  };
  const start = (): Worker => {
    const w = new Worker(file, { workerData: { context: o.context }, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    w.on('message', (m: { id: number; result?: Prepared; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.result) p.resolve(m.result);
      else p.reject(new Error(`validation worker failed: ${m.error}`));
      if (pending.size === 0 && worker === w) {
        // idle: the worker alone must not keep the process alive
        w.unref();
        idle = setTimeout(() => void stop(), idleMs);
        idle.unref();
      }
    });
    w.on('error', (e) => failAll((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? new DocumentTooLarge(heapMb) : new Error(`validation worker crashed: ${e.message}`)));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      if (pending.size) failAll(new Error(`validation worker exited with code ${code}`));
    });
    return w;
  };

  return {
    prepare: (input, context) =>
      new Promise<Prepared>((resolve, reject) => {
        if (idle) clearTimeout(idle);
        idle = null;
        worker ??= start();
        // a call in flight keeps the process alive (at start-up nothing else may yet)
        worker.ref();
        const id = ++seq;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, input, context });
      }),
    close: stop,
  };
}
