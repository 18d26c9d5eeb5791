/**
 * Restarts a daemon the agent owns when it dies (the engine, keepalived): a
 * health probe every interval, the first restart at once, then exponential
 * backoff while it keeps dying, reset once it has run for `stableMs`. Every
 * death (error) and restart (warn) is logged and counted for GET /v1/details.
 * Clock and timers are injected; `tick()` is one round, for tests.
 */
import type { Logger } from '../log';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SupervisorDeps {
  name: string;
  /** idle: it need not run; dead: it should run and does not */
  health(): Promise<'idle' | 'running' | 'dead'>;
  /** starts it again; false when there was nothing to do after all */
  restart(): Promise<boolean>;
  log: Logger;
  now?: () => number;
  timers?: Timers;
  intervalMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** running this long after a restart resets the backoff */
  stableMs?: number;
}

export interface SupervisorStatus {
  deaths: number;
  restarts: number;
  last_death_at: string | null;
  last_restart_at: string | null;
  last_restart_error: string | null;
  /** while dead and waiting out the backoff */
  next_restart_at: string | null;
}

export interface Supervisor {
  start(): void;
  /** stops the timer and waits for a round in flight */
  stop(): Promise<void>;
  tick(): Promise<void>;
  status(): SupervisorStatus;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Creates a supervisor (not started). */
export function createSupervisor(d: SupervisorDeps): Supervisor {
  const now = d.now ?? (() => Date.now());
  const timers: Timers = d.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const intervalMs = d.intervalMs ?? 1000;
  const initial = d.initialBackoffMs ?? 1000;
  const max = d.maxBackoffMs ?? 60000;
  const stableMs = d.stableMs ?? 60000;
  let timer: unknown = null;
  let running = false;
  let inFlight: Promise<void> | null = null;
  let down = false;
  let attempts = 0;
  let nextAttempt = 0;
  const st = { deaths: 0, restarts: 0, lastDeath: null as number | null, lastRestart: null as number | null, lastError: null as string | null };

  const round = async () => {
    const h = await d.health();
    const t = now();
    if (h !== 'dead') {
      // a restart reported as failed (its wait timed out) that came up after all is a restart, not an error
      if (down && h === 'running' && st.lastError !== null) {
        st.restarts++;
        st.lastRestart = t;
        st.lastError = null;
        d.log.warn(`${d.name} runs again after a restart that was reported failed`, { restarts: st.restarts });
      }
      down = false;
      if (h === 'idle' || (attempts > 0 && st.lastRestart !== null && t - st.lastRestart >= stableMs)) attempts = 0;
      return;
    }
    if (!down) {
      down = true;
      st.deaths++;
      st.lastDeath = t;
      d.log.error(`${d.name} died; restarting it`, { deaths: st.deaths, in_ms: Math.max(0, nextAttempt - t) });
    }
    if (t < nextAttempt) return;
    attempts++;
    nextAttempt = t + Math.min(initial * 2 ** (attempts - 1), max);
    try {
      if (await d.restart()) {
        st.restarts++;
        st.lastRestart = now();
        st.lastError = null;
        down = false;
        d.log.warn(`${d.name} restarted`, { restarts: st.restarts, attempt: attempts });
      }
    } catch (e) {
      st.lastError = (e as Error).message;
      d.log.error(`restarting ${d.name} failed; trying again later`, { error: e, next_attempt_at: iso(nextAttempt) });
    }
  };

  const tick = (): Promise<void> => {
    inFlight ??= round()
      .catch((e) => d.log.error(`supervising ${d.name} failed`, { error: e }))
      .finally(() => (inFlight = null));
    return inFlight;
  };

  const schedule = () => {
    if (!running) return;
    timer = timers.setTimeout(() => void tick().then(schedule), intervalMs);
  };

  return {
    start() {
      if (running) return;
      running = true;
      schedule();
    },
    async stop() {
      running = false;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      await inFlight;
    },
    tick,
    status: () => ({
      deaths: st.deaths,
      restarts: st.restarts,
      last_death_at: iso(st.lastDeath),
      last_restart_at: iso(st.lastRestart),
      last_restart_error: st.lastError,
      next_restart_at: down && nextAttempt > now() ? iso(nextAttempt) : null,
    }),
  };
}
