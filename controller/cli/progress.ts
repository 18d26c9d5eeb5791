/**
 * A progress bar for work on many agents (cli-progress), drawn on stderr and
 * only on a terminal: scripts and --json see none of it.
 */
import * as cliProgress from 'cli-progress';
import type { Out } from './common';

export interface Progress {
  /** one agent done, with its status word */
  tick(status: string): void;
  stop(): void;
}

/** A bar over `total` items when `stream` is a terminal and `enabled`; otherwise a no-op. */
export function progressBar(stream: Out, total: number, label: string, enabled: boolean): Progress {
  if (!enabled || !stream.isTTY || total < 2) return { tick: () => undefined, stop: () => undefined };
  const counts: Record<string, number> = {};
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as unknown as NodeJS.WritableStream,
      format: `${label} [{bar}] {value}/{total} {counts}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { counts: '' });
  return {
    tick(status) {
      counts[status] = (counts[status] ?? 0) + 1;
      bar.increment(1, { counts: Object.entries(counts).map(([k, n]) => `${k}=${n}`).join(' ') });
    },
    stop: () => bar.stop(),
  };
}
