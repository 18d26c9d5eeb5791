/**
 * Why a reload failed, when haproxy cannot say: haproxy 2.6's master keeps
 * its startup errors to itself once daemonized, and the usual cause is a
 * listener address that cannot be bound. Listeners that are new in this
 * document (the old worker does not hold them) are probed with a bind.
 */
import * as net from 'node:net';
import type { Document } from '../../schemas/document';
import { portFamily } from '../../schemas/enums';

interface Endpoint {
  host: string;
  port: number;
}

/** Every address:port the proxy binds for a document's enabled TCP-family listeners. */
export function listenerEndpoints(doc: Document): Endpoint[] {
  const lb = doc.loadbalancer;
  const vips = [lb.vip_address, ...(lb.additional_vips ?? []).map((v) => v.ip_address)].filter((v): v is string => typeof v === 'string' && v !== '');
  return lb.listeners
    .filter((l) => l.admin_state_up && portFamily(l.protocol) === 'tcp')
    .flatMap((l) => vips.map((host) => ({ host, port: l.protocol_port })));
}

/** The bind error of one endpoint, or null when it can be bound. */
export function probeBind(e: Endpoint): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    s.listen({ host: e.host, port: e.port, exclusive: true }, () => s.close(() => resolve(null)));
  });
}

/** A sentence naming the new listener addresses that cannot be bound, or null. */
export async function diagnoseBind(doc: Document, previous: Document | null): Promise<string | null> {
  const held = new Set((previous ? listenerEndpoints(previous) : []).map((e) => `${e.host}|${e.port}`));
  const problems: string[] = [];
  for (const e of listenerEndpoints(doc)) {
    if (held.has(`${e.host}|${e.port}`)) continue;
    const err = await probeBind(e);
    if (err) problems.push(`${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port} (${err === 'EADDRINUSE' ? 'in use by another process' : err === 'EADDRNOTAVAIL' ? 'not an address of this VM' : err})`);
  }
  // an ACTIVE_STANDBY amphora's proxy peers bind on its VRRP address
  const vrrp = doc.amphora?.vrrp_address;
  if (vrrp && vrrp !== previous?.amphora?.vrrp_address) {
    const err = await probeBind({ host: vrrp, port: 0 });
    if (err) problems.push(`amphora.vrrp_address ${vrrp} (${err === 'EADDRNOTAVAIL' ? 'not an address of this VM' : err})`);
  }
  return problems.length ? `cannot bind ${problems.join(', ')}` : null;
}
