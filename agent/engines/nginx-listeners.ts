/**
 * The listener addresses nginx should have bound, from the serve plan, and
 * what /proc/net says of them: bound or not, and the connections each holds.
 */
import type { ServePlan } from '../../renderers/types';
import { endpointKey, snapshot, unbound, type Endpoint, type ProcNetReader, type SocketSnapshot } from './proc-net';
import type { ListenerState } from './types';

const hostPort = (e: Endpoint) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

/** A plan listener's binds as /proc/net endpoints. */
function endpoints(l: ServePlan['engine'][number]): (Endpoint & { udp: boolean })[] {
  return l.binds.map((b) => ({ ip: b.host, port: b.port, udp: !!l.udp }));
}

/** `ip:port` of every listener address of the plan that has no socket bound. */
export function nginxUnbound(plan: ServePlan, from?: ProcNetReader | SocketSnapshot): string[] {
  return unbound(plan.engine.flatMap(endpoints), from).map(hostPort);
}

/**
 * Each listener nginx serves: OPEN with its current (TCP) connections when
 * every address is bound, else DOWN (the caller reports the others DOWN).
 */
export function nginxListenerStates(plan: ServePlan, running: boolean, read?: ProcNetReader): Record<string, ListenerState> {
  const net = snapshot(read);
  const out: Record<string, ListenerState> = {};
  for (const l of plan.engine) {
    const eps = endpoints(l);
    if (!running || unbound(eps, net).length) {
      out[l.id] = { status: 'DOWN' };
      continue;
    }
    out[l.id] = { status: 'OPEN', current_connections: l.udp ? 0 : eps.reduce((n, e) => n + (net.established.get(endpointKey(e)) ?? 0), 0) };
  }
  return out;
}
