/**
 * Time budgets of the engine's steps (check, start, reload, verification and
 * settling after a reload that ran late). haproxy's parse time grows with its
 * configuration (measured: about 0.5 s of CPU per MiB on a loaded 2-core VM),
 * so a fixed limit fails large documents that are fine; the budget is the
 * configured base (`engine_timeout`) plus a share per MiB of rendered files.
 */

/** Milliseconds added per MiB of rendered configuration: about 20 times what haproxy needs. */
export const PER_MIB_MS = 10_000;

/** The default base budget (`[amphora_agent] engine_timeout`, seconds). */
export const DEFAULT_ENGINE_TIMEOUT_SEC = 30;

/** Size of the rendered files in bytes (UTF-8). */
export function filesBytes(files: Record<string, string>): number {
  let bytes = 0;
  for (const text of Object.values(files)) bytes += Buffer.byteLength(text);
  return bytes;
}

/** The budget of one engine step for these rendered files. */
export function stepBudgetMs(files: Record<string, string>, baseMs: number): number {
  return bytesBudgetMs(filesBytes(files), baseMs);
}

/** The budget of one engine step for rendered files of `bytes` bytes. */
export function bytesBudgetMs(bytes: number, baseMs: number): number {
  return Math.round(baseMs + (PER_MIB_MS * bytes) / (1 << 20));
}
