/** Contract examples rewritten to loopback: VIP, listener ports and members point at test backends. */
import { loadExample } from './examples';

export interface Endpoint {
  host: string;
  port: number;
}

/** http-basic with the VIP on `vip:port` and its two members on the given backends. */
export function httpBasicDoc(generation: number, vip: Endpoint, members: Endpoint[], weights: number[] = [1, 1]): any {
  const d = loadExample('http-basic');
  d.generation = generation;
  d.loadbalancer.vip_address = vip.host;
  d.loadbalancer.listeners[0].protocol_port = vip.port;
  d.loadbalancer.pools[0].members.forEach((m: any, i: number) => {
    m.address = members[i].host;
    m.protocol_port = members[i].port;
    m.weight = weights[i];
  });
  // the backends answer "/" only with their name; a monitor on "/" keeps them UP
  d.loadbalancer.pools[0].healthmonitor.url_path = '/';
  d.loadbalancer.pools[0].healthmonitor.delay = 1;
  d.loadbalancer.pools[0].healthmonitor.timeout = 1;
  return d;
}

/**
 * Makes `d` differ from its neighbours beyond members (listener 0's client
 * timeout follows `generation`), so applying it reloads the engine: member
 * changes alone go through haproxy's runtime API without one.
 */
export function withReload<T extends { generation: number; loadbalancer: { listeners: { timeout_client_data?: number }[] } }>(d: T): T {
  d.loadbalancer.listeners[0].timeout_client_data = 50000 + (d.generation % 1000);
  return d;
}

/** Any example with every address rewritten: VIP to `vip`, listener ports from `ports`, members in turn to `members`; no source filter. */
export function loopbackExample(name: string, generation: number, vip: string, ports: number[], members: Endpoint[]): any {
  return toLoopback(loadExample(name), generation, vip, ports, members);
}

/** Rewrites a parsed document in place (see loopbackExample) and returns it. */
export function toLoopback(d: any, generation: number, vip: string, ports: number[], members: Endpoint[]): any {
  d.generation = generation;
  d.loadbalancer.vip_address = vip;
  d.loadbalancer.additional_vips = [];
  // fixed non-local binds (peers on the VRRP address, port 1025; the IPv6 VIP) are left to the one test that checks them
  // (agent-examples), so parallel tests do not share them
  delete d.amphora;
  d.loadbalancer.listeners.forEach((l: any, i: number) => {
    l.protocol_port = ports[i];
    l.allowed_cidrs = null;
  });
  for (const p of d.loadbalancer.pools) p.members.forEach((m: any, i: number) => {
    m.address = members[i % members.length].host;
    m.protocol_port = members[i % members.length].port;
    m.monitor_address = null;
    m.monitor_port = null;
  });
  return d;
}
