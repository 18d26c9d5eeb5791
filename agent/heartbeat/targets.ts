/** `controller_ip_port_list` parsing, for the config loader and the sender. */
import * as net from 'node:net';

export interface HeartbeatTarget {
  host: string;
  port: number;
  family: 4 | 6;
}

/**
 * Parses `IP:PORT, IP:PORT`. Octavia splits each item at its last colon, so an
 * IPv6 address may be written bare (`fd00::1:5555`) or bracketed (`[fd00::1]:5555`);
 * a port is required. Returns every problem, one sentence each.
 */
export function parseControllerIpPortList(value: string): { targets: HeartbeatTarget[]; errors: string[] } {
  const targets: HeartbeatTarget[] = [];
  const errors: string[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = item.lastIndexOf(':');
    if (at < 0) {
      errors.push(`"${item}" has no port (IP:PORT)`);
      continue;
    }
    let host = item.slice(0, at);
    const portText = item.slice(at + 1);
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    const family = net.isIP(host);
    if (family === 0) {
      errors.push(`"${item}" does not start with an IPv4 or IPv6 address`);
      continue;
    }
    const port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
      errors.push(`"${item}" has no valid port (1-65535)`);
      continue;
    }
    targets.push({ host, port, family: family as 4 | 6 });
  }
  return { targets, errors };
}

/** A target's `host:port`, IPv6 bracketed. */
export function formatTarget(t: { host: string; port: number }): string {
  return net.isIPv6(t.host) ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}
