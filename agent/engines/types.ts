/** The interface every engine adapter implements (haproxy and nginx). */
import type { ServePlan } from '../../renderers/types';
import type { MemberOp, Render, RuntimePlan } from './haproxy-runtime';

export interface CheckResult {
  ok: boolean;
  /** the engine's own words (stderr and stdout), trimmed */
  output: string;
}

export interface EngineStatus {
  running: boolean;
  masterPid: number | null;
  /** pid of the worker serving the current configuration */
  workerPid: number | null;
  /** workers still draining after a reload */
  oldWorkerPids: number[];
  reloads: number;
  failedReloads: number;
  /** the worker's stats socket (heartbeat collector reads it); nginx: its private status socket */
  statsSocket: string;
  /** haproxy's master CLI; '' when the engine has none (nginx) */
  masterSocket: string;
  /** every worker of the current configuration (nginx runs several); absent: just workerPid */
  workerPids?: number[];
}

/** One listener as GET /v1/details shows it. */
export interface ListenerState {
  /** OPEN, FULL, or DOWN when not served */
  status: 'OPEN' | 'FULL' | 'DOWN';
  current_connections?: number;
  total_connections?: number;
}

export interface EngineVersion {
  /** e.g. "2.6.12" */
  version: string;
  /** first line of `haproxy -v` */
  full: string;
}

/** One row of `show stat`, keyed by the CSV header. */
export type StatRow = Record<string, string>;

/** How a process outside the agent (keepalived's VRRP check script) tells that the engine runs. */
export interface EngineProbe {
  /** pid file of the engine's master process */
  pidFile: string;
  /** a string on that process's command line, so a reused pid is not taken for the engine */
  cmdlineMarker: string;
}

/** Limits of one engine step; absent: the adapter's own default. */
export interface StepOptions {
  /** past this the step throws EngineTimeout (a check's process is killed) */
  timeoutMs?: number;
}

/** What `prepareReload` made ready for a reload to `next` (opaque to the caller). */
export type ReloadPrep = { readonly engine: string; readonly next: ServePlan; readonly ready: unknown };

export interface ReloadOptions extends StepOptions {
  /** made by `prepareReload` for the same `next` while the new files were checked: the reload does not do it again */
  prep?: Promise<ReloadPrep>;
  /** the engine's status the caller read just before, with nothing reloading since: the reload does not ask again */
  status?: EngineStatus;
  /**
   * Settled before the engine is told to reload (the heartbeat's counter checkpoint, which the
   * reload resets): it runs beside the reload's own preparation. A rejection does not stop the reload.
   */
  ready?: Promise<unknown>;
}

export interface Engine {
  readonly name: 'haproxy' | 'nginx';
  /** for keepalived's engine check (agent/keepalived); absent: VRRP cannot watch this engine */
  readonly probe?: EngineProbe;
  /** Runs the binary once for its version. */
  version(): Promise<EngineVersion>;
  /** Checks a configuration without touching the running engine. */
  check(configDir: string, mainFile: string, opts?: StepOptions): Promise<CheckResult>;
  /** Starts the engine daemonized on the stable config dir (a symlink); resolves when a worker runs. */
  start(configDir: string, mainFile: string, opts?: StepOptions): Promise<void>;
  /**
   * Reloads hitlessly and waits for the new worker; throws EngineFailed when it did not take.
   * `next` is what the new configuration serves: the engine carries over the runtime state
   * (member health) of what it still serves unchanged, and nothing else.
   */
  reload(next?: ServePlan, opts?: ReloadOptions): Promise<void>;
  /**
   * Does ahead of a reload to `next` what it carries over from the serving
   * process (haproxy: the member health of `show servers state`, reduced to
   * what `next` keeps), so that this runs beside the check of the new files
   * instead of after it; never rejects. Absent: the reload does it itself.
   */
  prepareReload?(next: ServePlan): Promise<ReloadPrep>;
  /**
   * Member changes without a reload, when the engine can: `planMembers` says
   * which runtime ops take the applied render to the next one (or why it
   * needs a reload), `applyMembers` runs them on the serving process and
   * checks the result (throws EngineFailed when it differs). Absent: every
   * change reloads.
   */
  planMembers?(prev: Render, next: Render): RuntimePlan;
  applyMembers?(ops: MemberOp[], next: ServePlan): Promise<void>;
  /** Stops serving: graceful first, then forced after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  status(): Promise<EngineStatus>;
  /** haproxy: `show info` of the serving worker. */
  info?(): Promise<Record<string, string>>;
  /**
   * haproxy: `show stat` of the serving worker; `frontendsOnly`: the listeners' rows alone (cheap with tens of
   * thousands of members); `columns`: only these cells of each row (all ~100 by default).
   */
  stats?(opts?: { frontendsOnly?: boolean; columns?: readonly string[] }): Promise<StatRow[]>;
  /**
   * Null when the running engine serves `plan` from the files now in `current`,
   * else why not (apply/verify.ts polls it). Absent: verify.ts checks haproxy's
   * `info` and `stats`.
   */
  verify?(plan: ServePlan): Promise<string | null>;
  /** Each listener's state for GET /v1/details (`plan`: what the applied files serve). Absent: from haproxy's `stats`. */
  listenerStates?(plan: ServePlan): Promise<Record<string, ListenerState>>;
}
