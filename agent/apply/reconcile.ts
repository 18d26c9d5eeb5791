/**
 * Making the engine serve a known good state again: after it died (the
 * supervisor), when a PUT re-sends the applied generation while it does not
 * serve, and after a failed apply. It never races a reload in progress: it
 * first waits for the engine to settle (its status answers again, or it is
 * gone), and only then reloads, starts, or as a last resort stops and starts
 * the engine, and verifies that what serves is the given state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServePlan } from '../../renderers/types';
import { replaceFile } from '../durable-fs';
import type { Engine, EngineStatus } from '../engines/types';
import type { Logger } from '../log';
import { currentTarget, switchCurrent, type ConfigLayout } from './staging';
import { verifyServing } from './verify';

/** What the engine must serve: a config dir under `configs/`, its main file, its serve plan. */
export interface ServedState {
  configDir: string;
  main: string;
  serves: ServePlan;
  /** budget of a start or reload of it (agent/apply/budget.ts) */
  timeoutMs: number;
}

export interface ReconcileDeps {
  engine: Engine;
  layout: ConfigLayout;
  log: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** waits (bounded by `ms`) until the engine serves the plan; throws when it does not */
  verify: (plan: ServePlan, ms: number) => Promise<void>;
  /** awaited before a reload of a running engine (the heartbeat takes its counters) */
  beforeReload?: () => Promise<void>;
}

const LOADED = 'engine-loaded';

/**
 * Records which config dir the engine has loaded and serves, verified:
 * removed before every reload or start and written after its verification,
 * so an agent killed in between finds no record and reloads rather than
 * adopting an engine that may have loaded other files. A record that cannot
 * be written (full disk) is left absent, which is safe.
 */
export function markLoaded(layout: ConfigLayout, name: string | null): void {
  const file = path.join(path.dirname(layout.currentLink), LOADED);
  try {
    if (name === null) fs.rmSync(file, { force: true });
    // the engine's state, which a reboot ends: no sync (replaceFile)
    else replaceFile(file, `${name}\n`, 0o600);
  } catch {
    fs.rmSync(file, { force: true });
  }
}

/** The config dir the engine was last verified to serve, or null when unknown (mid-reload, or never recorded). */
export function loadedConfig(layout: ConfigLayout): string | null {
  try {
    return fs.readFileSync(path.join(path.dirname(layout.currentLink), LOADED), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** How the engine came to serve the state: it already did, or it was reloaded, started, or stopped and started. */
export type Reconciled = 'serving' | 'reloaded' | 'started' | 'restarted';

/** Whether `st` shows an engine not in the middle of a reload: stopped, serving with a worker, or past a failed reload. */
export const settled = (st: EngineStatus): boolean => !st.running || st.workerPid !== null || st.failedReloads > 0;

/**
 * Waits until the engine is not in the middle of a reload: its status
 * answers (a re-executing haproxy master has no CLI until it has parsed the
 * configuration) or it is not running. False when it did not within `timeoutMs`.
 */
export async function settle(engine: Engine, timeoutMs: number, now: () => number, sleep: (ms: number) => Promise<void>): Promise<boolean> {
  const deadline = now() + timeoutMs;
  for (;;) {
    try {
      if (settled(await engine.status())) return true;
    } catch {
      // no answer: mid-reload
    }
    if (now() > deadline) return false;
    await sleep(50);
  }
}

/** Whether the engine serves `plan` right now (one look, no waiting). */
export async function servesNow(engine: Engine, plan: ServePlan): Promise<boolean> {
  try {
    return (await verifyServing(engine, plan.engine.map((l) => l.id))) === null;
  } catch {
    return false;
  }
}

/**
 * Makes the engine serve `s` through `current`. `force` reloads a running
 * engine even when it looks right (after a failed apply the listeners of the
 * refused and the good state may be the same: only a reload after `current`
 * points back makes sure which one the newest worker read).
 */
export async function reconcile(d: ReconcileDeps, s: ServedState, o: { settleMs: number; force: boolean }): Promise<Reconciled> {
  if (currentTarget(d.layout) !== s.configDir) switchCurrent(d.layout, s.configDir);
  const restart = async (why: string, cause?: unknown): Promise<Reconciled> => {
    d.log.error(`${why}; stopping and starting the engine`, { error: cause, config: s.configDir });
    markLoaded(d.layout, null);
    // a master stuck re-executing may have its signals blocked: do not wait long for a graceful stop
    await d.engine.stop(1000);
    await d.engine.start(d.layout.currentLink, s.main, { timeoutMs: s.timeoutMs });
    await d.verify(s.serves, s.timeoutMs);
    markLoaded(d.layout, s.configDir);
    return 'restarted';
  };
  if (!(await settle(d.engine, o.settleMs, d.now, d.sleep))) return restart(`the engine did not settle within ${o.settleMs} ms`);
  const st = await d.engine.status().catch(() => null);
  if (!st) return restart('the engine does not answer');
  if (!st.running) {
    markLoaded(d.layout, null);
    await d.engine.start(d.layout.currentLink, s.main, { timeoutMs: s.timeoutMs });
    await d.verify(s.serves, s.timeoutMs);
    markLoaded(d.layout, s.configDir);
    return 'started';
  }
  if (!o.force && (await servesNow(d.engine, s.serves))) return 'serving';
  try {
    await d.beforeReload?.().catch((e) => d.log.warn('a pre-reload hook failed', { error: e }));
    markLoaded(d.layout, null);
    await d.engine.reload(s.serves, { timeoutMs: s.timeoutMs });
    await d.verify(s.serves, s.timeoutMs);
    markLoaded(d.layout, s.configDir);
    return 'reloaded';
  } catch (e) {
    return restart('reloading the engine to the last good configuration failed', e);
  }
}
