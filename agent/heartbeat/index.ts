/** The agent's heartbeat: collector, sender and the loop that ties them. */
export { createHeartbeat } from './heartbeat';
export type { BeatResult, Heartbeat, HeartbeatDeps, HeartbeatStatus, Timers } from './heartbeat';
export type { AppliedConfig, EngineStats } from './collector';
export { readHaproxyStats } from './haproxy-stats';
export { parseControllerIpPortList, formatTarget } from './targets';
export type { HeartbeatTarget } from './targets';
export type { SocketFactory, DatagramSocket } from './sender';
export { startHeartbeatCompanion, daemonHeartbeat } from './companion';
