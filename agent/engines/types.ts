/** The interface every engine adapter implements (haproxy and nginx). */
import type { Document } from '../../schemas/document';

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
  /** OPEN, FULL, STOP (haproxy's frontend words) or DOWN when not served */
  status: string;
  current_connections?: number;
  total_connections?: number;
}

/** The part of a stored document an engine reads for listener states (raw input: absent flags mean true). */
export interface ServedView {
  loadbalancer: {
    vip_address?: string;
    additional_vips?: readonly { ip_address?: string }[] | null;
    admin_state_up?: boolean | null;
    listeners?: readonly { listener_id: string; protocol?: string; protocol_port?: number; admin_state_up?: boolean | null }[];
  };
}

export interface EngineVersion {
  /** e.g. "2.6.12" */
  version: string;
  /** first line of `haproxy -v` */
  full: string;
}

/** One row of `show stat`, keyed by the CSV header. */
export type StatRow = Record<string, string>;

export interface Engine {
  readonly name: 'haproxy' | 'nginx';
  /** Runs the binary once for its version. */
  version(): Promise<EngineVersion>;
  /** Checks a configuration without touching the running engine. */
  check(configDir: string, mainFile: string): Promise<CheckResult>;
  /** Starts the engine daemonized on the stable config dir (a symlink); resolves when a worker runs. */
  start(configDir: string, mainFile: string): Promise<void>;
  /** Reloads hitlessly and waits for the new worker; throws EngineFailed when it did not take. */
  reload(): Promise<void>;
  /** Stops serving: graceful first, then forced after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  status(): Promise<EngineStatus>;
  /** haproxy: `show info` of the serving worker. */
  info?(): Promise<Record<string, string>>;
  /** haproxy: `show stat` of the serving worker. */
  stats?(): Promise<StatRow[]>;
  /**
   * Null when the running engine serves `doc` from the files now in `current`,
   * else why not (apply/verify.ts polls it). Absent: verify.ts checks haproxy's
   * `info` and `stats`.
   */
  verify?(doc: Document): Promise<string | null>;
  /** Each listener's state for GET /v1/details. Absent: from haproxy's `stats`. */
  listenerStates?(doc: ServedView): Promise<Record<string, ListenerState>>;
}
