/**
 * Which listener addresses nginx should have bound, from the document, and
 * what /proc/net says of them: bound or not, and the connections each holds.
 */
import type { Document } from '../../schemas/document';
import { NGINX_PROTOCOLS, nginxListeners } from '../../renderers/nginx/context';
import { endpointKey, snapshot, unbound, type Endpoint, type ProcNetReader } from './proc-net';
import type { ListenerState, ServedView } from './types';

const hostPort = (e: Endpoint) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

function vips(lb: ServedView['loadbalancer']): string[] {
  return [...new Set([lb.vip_address, ...(lb.additional_vips ?? []).map((v) => v.ip_address)].filter((v): v is string => typeof v === 'string' && v !== ''))];
}

/** `ip:port` of every listener address of `doc` nginx must serve that has no socket bound. */
export function nginxUnbound(doc: Document, read?: ProcNetReader): string[] {
  const want = nginxListeners(doc).flatMap((l) => vips(doc.loadbalancer).map((ip) => ({ ip, port: l.protocol_port, udp: l.protocol === 'UDP' })));
  return unbound(want, read).map(hostPort);
}

/**
 * Each listener of a stored document: OPEN with its current connections when
 * every address is bound, DOWN when nginx does not serve it (disabled, a
 * protocol nginx refuses, not running or not bound).
 */
export function nginxListenerStates(doc: ServedView, running: boolean, read?: ProcNetReader): Record<string, ListenerState> {
  const lb = doc.loadbalancer ?? {};
  const ips = vips(lb);
  const net = snapshot(read);
  const out: Record<string, ListenerState> = {};
  for (const l of lb.listeners ?? []) {
    const served = running && lb.admin_state_up !== false && l.admin_state_up !== false && (NGINX_PROTOCOLS as readonly string[]).includes(l.protocol ?? '');
    const eps = ips.map((ip) => ({ ip, port: l.protocol_port ?? 0, udp: l.protocol === 'UDP' }));
    if (!served || unbound(eps, net).length) {
      out[l.listener_id] = { status: 'DOWN' };
      continue;
    }
    out[l.listener_id] = { status: 'OPEN', current_connections: eps.reduce((n, e) => n + (net.established.get(endpointKey(e)) ?? 0), 0) };
  }
  return out;
}
