/**
 * The validation worker's process (agent/apply/worker-preparer.ts forks this
 * file). It runs the bundled worker, `bundle.js` beside it
 * (scripts/bundle-worker.js: agent/apply/prepare-worker.ts and all it
 * requires, one file instead of ~150 modules), compiled with V8's code cache
 * when the daemon names a cache file; without a bundle, the compiled
 * modules. A worker starts after every idle pause, so what it costs to start
 * is paid by most applies of a VM that changes now and then.
 *
 * The cache is written once, a moment after the worker answered its first
 * document (so the functions that document needed are in it too), when there
 * was none or V8 refused it (another node, other flags, another bundle). A
 * cache that cannot be read or written changes nothing but the start-up time.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { replaceFile } from '../durable-fs';

/** The environment variable that names the code cache file (the daemon sets it; absent: no cache). */
export const CODE_CACHE_ENV = 'AMPHORA_AGENT_WORKER_CODE_CACHE';

/** The code cache's file name in the state directory. */
export const CODE_CACHE_FILE = 'worker-code-cache';

/** The bundled worker (its templates in `templates/` beside it). */
export const BUNDLE = path.join(__dirname, 'bundle.js');

/** How long after the first answer the cache is made. */
export const CACHE_AFTER_MS = 1000;

/** Replaces the cache (replaceFile: temp file and rename, none left behind); a failure is ignored: the next worker compiles without it. */
function writeCache(file: string, data: Buffer): void {
  try {
    replaceFile(file, data, 0o600);
  } catch {
    // no cache: only the start-up time
  }
}

/**
 * Runs a CommonJS file as node would (its own `require`, `module`,
 * `__filename`, `__dirname`), compiled with `cacheFile`'s code cache when V8
 * takes it; with `cacheFile`, one is made `afterMs` after the first request
 * (a message with an `id`) `messages` brings, when none was taken. Returns
 * whether the cache was taken.
 */
export function runCached(file: string, cacheFile: string | null, o: { messages?: NodeJS.EventEmitter; afterMs?: number } = {}): boolean {
  const messages = o.messages ?? process;
  const source = fs.readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // none yet
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const mod = { exports: {} };
  const fn = script.runInThisContext() as (...a: unknown[]) => void;
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  const taken = !!cachedData && !script.cachedDataRejected;
  if (cacheFile && !taken) {
    // the worker's own listener came first: the request is answered (its work is synchronous) when this one runs
    const firstAnswer = (m: unknown) => {
      if (!m || typeof m !== 'object' || !('id' in m)) return;
      messages.off('message', firstAnswer);
      setTimeout(() => writeCache(cacheFile, script.createCachedData()), o.afterMs ?? CACHE_AFTER_MS).unref();
    };
    messages.on('message', firstAnswer);
  }
  return taken;
}

if (require.main === module) {
  if (fs.existsSync(BUNDLE)) runCached(BUNDLE, process.env[CODE_CACHE_ENV] || null);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  else require('../apply/prepare-worker');
}
