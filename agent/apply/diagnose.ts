/**
 * Why a reload failed, when haproxy cannot say: haproxy 2.6's master keeps
 * its startup errors to itself once daemonized, and the usual cause is a
 * listener address that cannot be bound. Addresses that are new in this
 * configuration (the old worker does not hold them) are probed with a bind.
 */
import * as net from 'node:net';
import type { Endpoint, ServePlan } from '../../renderers/types';

/** Every TCP address:port the engine binds for a serve plan, with the field it comes from when not a listener (UDP binds are not probed: a stream probe says nothing of them). */
export function planEndpoints(plan: ServePlan): (Endpoint & { field?: string })[] {
  return [...plan.engine.filter((l) => !l.udp).flatMap((l) => l.binds), ...plan.otherBinds];
}

/** The bind error of one endpoint, or null when it can be bound. */
export function probeBind(e: Endpoint): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    s.listen({ host: e.host, port: e.port, exclusive: true }, () => s.close(() => resolve(null)));
  });
}

const hostPort = (e: Endpoint) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
const reason = (err: string) => (err === 'EADDRINUSE' ? 'in use by another process' : err === 'EADDRNOTAVAIL' ? 'not an address of this VM' : err);

/** A sentence naming the new addresses of `next` that cannot be bound, or null. */
export async function diagnoseBind(next: ServePlan, previous: ServePlan | null): Promise<string | null> {
  const held = new Set((previous ? planEndpoints(previous) : []).map(hostPort));
  const problems: string[] = [];
  for (const e of planEndpoints(next)) {
    if (held.has(hostPort(e))) continue;
    const err = await probeBind(e);
    if (err) problems.push(e.field ? `${e.field} ${e.host} (${reason(err)})` : `${hostPort(e)} (${reason(err)})`);
  }
  return problems.length ? `cannot bind ${problems.join(', ')}` : null;
}
