/** The typed view model of keepalived.conf; every string is a checked keepalived word or a quoted literal. */

/**
 * One VRRP instance as Octavia's amphora template has it: no initial state
 * (both peers start BACKUP), `nopreempt` and `accept`, the priority of the
 * amphora's role, the engine checked by a script.
 */
export interface VrrpView {
  name: string;
  interface: string;
  virtualRouterId: number;
  priority: number;
  sourceIp: string;
  peers: string[];
  /** VIPs of the VRRP address family */
  vips: string[];
  /** VIPs of the other family (keepalived sends them in no advert) */
  vipsExcluded: string[];
  advertInt: number;
  garpRefreshInterval: number;
  garpRefreshCount: number;
  /**
   * The agent's engine check (haproxy or nginx, see agent/keepalived); while it
   * fails this instance is in FAULT and the peer takes the VIPs. A script, not
   * `track_process`: keepalived's process events need the proc connector,
   * which a network namespace does not have (the instance would never leave FAULT).
   */
  check: { script: string; interval: number; fall: number; rise: number };
  /** keepalived writes VRRP events to this FIFO; the notify script keeps the last state for the agent */
  notifyFifo: string;
  notifyScript: string;
}

export interface CheckView {
  type: 'UDP_CHECK' | 'TCP_CHECK' | 'HTTP_GET' | 'PING_CHECK';
  connectIp: string;
  connectPort: number;
  connectTimeout: number;
  retry: number;
  delayBeforeRetry: number;
  /** HTTP_GET only */
  httpProtocol: string | null;
  url: { path: string; statusCodes: string; virtualhost: string | null } | null;
}

export interface RealServerView {
  memberId: string;
  address: string;
  port: number;
  weight: number;
  uthreshold: number | null;
  check: CheckView | null;
}

export interface VirtualServerView {
  listenerId: string;
  poolId: string;
  address: string;
  port: number;
  protocol: 'UDP' | 'SCTP';
  sched: string;
  /** scheduler flags, e.g. `sh-port` */
  flags: string[];
  delayLoop: number | null;
  persistenceTimeout: number | null;
  persistenceGranularity: string | null;
  realServers: RealServerView[];
}

export interface KeepalivedView {
  routerId: string;
  /** keepalived removes it once a reload has read the files: the agent waits for that */
  reloadFile: string;
  vrrp: VrrpView | null;
  virtualServers: VirtualServerView[];
}
