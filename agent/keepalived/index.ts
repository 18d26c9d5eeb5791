/**
 * keepalived, owned by the agent as it owns the engine: the lifecycle the
 * apply transaction drives (a Sidecar), the supervisor that restarts it when
 * it dies, and what GET /v1/details shows. The daemon makes one of these.
 */
import * as fs from 'node:fs';
import { keepalivedRuntimePaths } from '../../renderers/keepalived/runtime-paths';
import type { Engine } from '../engines/types';
import type { Logger } from '../log';
import type { ProcessRunner } from '../process-runner';
import { probeIpvs } from './ipvs';
import { createKeepalivedProcess } from './keepalived-process';
import { createKeepalivedLifecycle, type KeepalivedLifecycle, type KeepalivedStatus } from './lifecycle';
import { createSupervisor, type Supervisor, type SupervisorStatus, type Timers } from '../supervise/supervisor';

export type { KeepalivedLifecycle, KeepalivedStatus } from './lifecycle';

export interface KeepalivedOptions {
  cmd: string;
  runDir: string;
  vrrpInterface: string;
  engine: Engine;
  runner: ProcessRunner;
  log: Logger;
  now?: () => number;
  timers?: Timers;
  /** names of the VM's interfaces (default: /sys/class/net, which `ip netns exec` remounts per namespace) */
  interfaces?: () => string[];
}

export interface Keepalived {
  lifecycle: KeepalivedLifecycle;
  supervisor: Supervisor;
  /** GET /v1/details `keepalived` */
  report(): KeepalivedStatus & SupervisorStatus;
}

/** The VM's network interfaces by name. */
export function sysInterfaces(dir = '/sys/class/net'): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Wires keepalived's process adapter, lifecycle and supervisor. */
export function createKeepalived(o: KeepalivedOptions): Keepalived {
  const paths = keepalivedRuntimePaths(o.runDir);
  const log = o.log.child({ component: 'keepalived' });
  const lifecycle = createKeepalivedLifecycle({
    process: createKeepalivedProcess({ cmd: o.cmd, paths, runner: o.runner, now: o.now }),
    paths, vrrpInterface: o.vrrpInterface, engineName: o.engine.name, probe: o.engine.probe ?? null,
    ipvs: () => probeIpvs({ runner: o.runner }),
    interfaces: o.interfaces ?? (() => sysInterfaces()),
    log,
  });
  const supervisor = createSupervisor({ name: 'keepalived', health: lifecycle.health, restart: lifecycle.restartIfDead, log, now: o.now, timers: o.timers });
  return { lifecycle, supervisor, report: () => ({ ...lifecycle.status(), ...supervisor.status() }) };
}
