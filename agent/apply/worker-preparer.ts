/**
 * Runs `prepareDocument` in a child process that exits after `idleMs`
 * without work. A process, not a thread: it has V8 settings of its own (the
 * daemon runs in V8's lite mode, without optimizing compilers, for a small
 * idle footprint, which would slow validation several times over in a thread
 * sharing the process's flags), and when it exits every byte it used goes back to the system, so
 * the daemon's idle memory holds neither zod, nor the templates, nor the
 * garbage of the last document.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { RenderContext } from '../../renderers/types';
import { DocumentTooLarge, MalformedBody, StorageFull } from '../errors';
import { childEnv } from '../process-runner';
import type { Prepared, PreparedFull, PreparedHead, PrepareResult, Preparer } from './prepare';
import type { StorageFullFields, WorkerRequest } from './prepare-worker';
import { readFiles, type StagedFiles } from './staging';
import { CODE_CACHE_ENV } from '../worker/main';

/**
 * The worker's V8 old generation, MiB: the largest accepted document needs
 * about a third of it (schemas/limits.ts); past it the worker dies of heap
 * exhaustion and the document is refused (413), the daemon unharmed.
 */
export const WORKER_HEAP_MB = 256;

/**
 * The worker's V8 semi-space, MiB, as a share of its heap: validating a large
 * document allocates tens of MiB of short-lived objects, which a small young
 * generation would copy into the old one (validation of 1,000 listeners took
 * twice as long with V8's default). V8 grows the young generation only as
 * the work needs it, and the worker exits when idle.
 */
export const semiSpaceMb = (heapMb: number): number => Math.max(1, Math.floor(heapMb / 4));

/** How long the worker stays after its last call, ms: the next call after that starts a new one (bench/cold-apply). */
export const WORKER_IDLE_MS = 10_000;

export interface WorkerPreparer {
  prepare: Preparer;
  /**
   * Starts the worker now if none runs, to stop when idle like after a call:
   * a first document that follows soon is not held up by its start.
   */
  warm(): void;
  /** Stops the worker now (pending calls fail). */
  close(): Promise<void>;
}

/** A deferred promise: settled from the worker's messages. */
interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  // a part nobody waits for (the apply failed first) must not be an unhandled rejection
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface Pending {
  resolve(p: Prepared): void;
  reject(e: Error): void;
  dryRun: boolean;
  /** the parts that follow a head already answered */
  rest?: { full: Deferred<PreparedFull | null>; hash: Deferred<string>; doc: Deferred<string | null> };
  /** where the head said the files were written */
  staged?: StagedFiles | null;
}


type Answer = { id: number } & (
  | { head: PreparedHead }
  | { full: PreparedFull }
  | { hash: string }
  | { doc: string }
  | { result: Extract<PrepareResult, { ok: false }> }
  | { error: string; malformed?: boolean; storageFull?: StorageFullFields }
);

/** What V8 prints when a heap limit is reached. */
const OUT_OF_MEMORY = /heap limit|heap out of memory|allocation failed/i;

/**
 * A preparer backed by one lazily started worker process, stopped when idle.
 * `codeCacheFile`: where the worker keeps V8's code cache of its bundle (agent/worker/main.ts).
 */
export function createWorkerPreparer(o: { context: RenderContext; idleMs?: number; workerFile?: string; onIdle?: () => void; heapMb?: number; codeCacheFile?: string }): WorkerPreparer {
  const heapMb = o.heapMb ?? WORKER_HEAP_MB;
  const file = o.workerFile ?? path.join(__dirname, '..', 'worker', 'main.js');
  const env = { ...childEnv(), ...(o.codeCacheFile ? { [CODE_CACHE_ENV]: o.codeCacheFile } : {}) };
  const idleMs = o.idleMs ?? WORKER_IDLE_MS;
  const pending = new Map<number, Pending>();
  let worker: ChildProcess | null = null;
  let idle: NodeJS.Timeout | null = null;
  let seq = 0;

  /** Fails a call, or the parts of it still to come. */
  const fail = (p: Pending, e: Error) => {
    if (!p.rest) return p.reject(e);
    p.rest.full.reject(e);
    p.rest.hash.reject(e);
    p.rest.doc.reject(e);
  };
  const failAll = (e: Error) => {
    for (const p of pending.values()) fail(p, e);
    pending.clear();
  };
  const stop = async () => {
    const w = worker;
    worker = null;
    if (idle) clearTimeout(idle);
    idle = null;
    if (w && w.exitCode === null && w.signalCode === null) {
      const gone = new Promise<void>((r) => w.once('exit', () => r()));
      // referenced while it goes: an idle (unreferenced) child would let the loop end before its exit is heard
      w.ref();
      w.kill('SIGTERM');
      await gone;
    }
    o.onIdle?.();
  };
  const hold = (w: ChildProcess, on: boolean) => {
    // idle, the worker alone must not keep the daemon alive; a call in flight must
    const ch = w.channel as { ref?(): void; unref?(): void } | undefined;
    if (on) (w.ref(), ch?.ref?.());
    else (w.unref(), ch?.unref?.());
  };
  const start = (): ChildProcess => {
    // its own V8 flags (not the daemon's lite mode): optimizing compilers, a large young generation, and the heap cap
    const w = fork(file, [], { env, serialization: 'advanced', execArgv: [`--max-old-space-size=${heapMb}`, `--max-semi-space-size=${semiSpaceMb(heapMb)}`], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    w.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)));
    w.send({ init: o.context });
    w.on('message', (m: Answer) => {
      const p = pending.get(m.id);
      if (!p) return;
      if ('head' in m) {
        // the files are written: the caller checks them while the rest follows
        p.rest = { full: deferred(), hash: deferred(), doc: deferred() };
        p.staged = m.head.staged;
        if (p.dryRun) (p.rest.full.resolve(null), p.rest.doc.resolve(null));
        p.resolve({ ...m.head, full: p.rest.full.promise, hash: p.rest.hash.promise, docText: p.rest.doc.promise });
        return;
      }
      if ('full' in m) {
        const full = m.full;
        try {
          // the files of a candidate the worker wrote do not cross the channel: they are read back from it
          if (p.staged && full.out) full.out = { ...full.out, files: readFiles(p.staged.dir, p.staged.names) };
          p.rest?.full.resolve(full);
        } catch (e) {
          p.rest?.full.reject(new Error(`reading back the rendered files failed: ${(e as Error).message}`));
        }
        return;
      }
      if ('hash' in m) {
        p.rest?.hash.resolve(m.hash);
        // the document follows, unless a dry run
        if (!p.dryRun) return;
      } else if ('doc' in m) p.rest?.doc.resolve(m.doc);
      else if ('result' in m) p.resolve(m.result);
      else if (m.malformed) fail(p, new MalformedBody(m.error));
      else if (m.storageFull) fail(p, new StorageFull(m.storageFull.dir, m.storageFull.what, m.storageFull.neededBytes, m.storageFull.freeBytes));
      else fail(p, new Error(`validation worker failed: ${m.error}`));
      pending.delete(m.id);
      if (pending.size === 0 && worker === w) rest(w);
    });
    w.on('error', (e) => failAll(new Error(`validation worker failed: ${e.message}`)));
    w.on('exit', (code, signal) => {
      if (worker === w) worker = null;
      if (!pending.size) return;
      failAll(OUT_OF_MEMORY.test(stderr) ? new DocumentTooLarge(heapMb) : new Error(`validation worker exited with ${signal ?? `code ${code}`}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
    return w;
  };

  /** Idle: the worker alone must not keep the daemon alive, and it exits after idleMs. */
  const rest = (w: ChildProcess) => {
    hold(w, false);
    idle = setTimeout(() => void stop(), idleMs);
    idle.unref();
  };

  return {
    warm: () => {
      if (worker) return;
      worker = start();
      rest(worker);
    },
    prepare: (input, opts) =>
      new Promise<Prepared>((resolve, reject) => {
        if (idle) clearTimeout(idle);
        idle = null;
        worker ??= start();
        hold(worker, true);
        const id = ++seq;
        pending.set(id, { resolve, reject, dryRun: !!opts?.dryRun });
        const req: WorkerRequest = { id, input, context: opts?.context, stageTo: opts?.stageTo, dryRun: opts?.dryRun, documentFor: opts?.documentFor };
        worker.send(req, (e) => {
          if (e && pending.delete(id)) reject(new Error(`validation worker unreachable: ${e.message}`));
        });
      }),
    close: stop,
  };
}
