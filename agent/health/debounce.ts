/**
 * Runs an async action after changes settle, never twice at once and at most
 * once per `minIntervalMs`: a member flapping between UP and DOWN costs one
 * reload per interval at most, and the last state always gets rendered.
 */
export interface DebounceTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
  now(): number;
}

export interface Debounced {
  /** Something changed: run the action soon. */
  trigger(): void;
  /** Cancels a pending run and waits for one in flight. */
  stop(): Promise<void>;
}

/** Debounces `action`: `settleMs` after the last trigger, no sooner than `minIntervalMs` after the previous run began. */
export function debounce(action: () => Promise<void>, o: { settleMs: number; minIntervalMs: number; timers?: DebounceTimers }): Debounced {
  const timers: DebounceTimers = o.timers ?? {
    setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    now: () => Date.now(),
  };
  let timer: unknown = null;
  let running: Promise<void> | null = null;
  let again = false;
  let lastStart = -Infinity;
  let stopped = false;

  const arm = () => {
    if (timer !== null) timers.clearTimeout(timer);
    const wait = Math.max(o.settleMs, lastStart + o.minIntervalMs - timers.now());
    timer = timers.setTimeout(fire, wait);
  };
  const fire = () => {
    timer = null;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    lastStart = timers.now();
    // the action logs its own failures; a rejection here must not go unhandled
    running = action().catch(() => undefined).finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        arm();
      }
    });
  };
  return {
    trigger() {
      if (stopped) return;
      if (running) again = true;
      else arm();
    },
    async stop() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
      await running;
    },
  };
}
