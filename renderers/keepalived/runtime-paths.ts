/**
 * Where keepalived's runtime files live under the run directory. The renderer
 * names them in keepalived.conf and the agent (agent/keepalived) creates them,
 * so both read the paths from here.
 */
import type { VrrpTiming } from '../types';

/** Name of keepalived's file among the rendered files. */
export const KEEPALIVED_MAIN = 'keepalived.conf';

export interface KeepalivedRuntimePaths {
  /** `${runDir}/keepalived`: root-owned, 0700 (keepalived's script security needs that) */
  dir: string;
  /** the engine check run by `vrrp_script` */
  checkScript: string;
  /** reads VRRP events from the FIFO and keeps the last state in `stateFile` */
  notifyScript: string;
  /** keepalived writes VRRP events here (`vrrp_notify_fifo`) */
  notifyFifo: string;
  /** one line: `STATE PRIORITY`; its mtime is the time of the transition */
  stateFile: string;
  /** keepalived removes it once a reload has read the configuration (`reload_file`) */
  reloadFile: string;
  pidFile: string;
  vrrpPidFile: string;
  checkerPidFile: string;
}

/** The runtime paths under an absolute run directory. */
export function keepalivedRuntimePaths(runDir: string): KeepalivedRuntimePaths {
  const dir = `${runDir.replace(/\/+$/, '')}/keepalived`;
  return {
    dir,
    checkScript: `${dir}/check-engine.sh`,
    notifyScript: `${dir}/vrrp-notify.sh`,
    notifyFifo: `${dir}/vrrp.fifo`,
    stateFile: `${dir}/vrrp-state`,
    reloadFile: `${dir}/reload`,
    pidFile: `${dir}/keepalived.pid`,
    vrrpPidFile: `${dir}/vrrp.pid`,
    checkerPidFile: `${dir}/checker.pid`,
  };
}

/** Octavia's `[keepalived_vrrp]` defaults (octavia/common/config.py). */
export const OCTAVIA_VRRP_TIMING: VrrpTiming = {
  advertInt: 1,
  checkInterval: 5,
  failCount: 2,
  successCount: 2,
  garpRefreshInterval: 5,
  garpRefreshCount: 2,
};
