/** What the apply benches share: the members that answer, and the large document moved into a loopback block. */
import * as http from 'node:http';
import { genLarge } from '../../test/lib/gen-large';

/** HTTP servers answering `ok` on `<net>.3:9001` and `<net>.4:9002` (the examples' two members once moved to loopback). */
export function memberServers(net: string): Promise<http.Server[]> {
  return Promise.all([3, 4].map((i) => new Promise<http.Server>((resolve) => {
    const srv = http.createServer((_q, r) => r.end('ok\n'));
    srv.listen(9000 + i - 2, `${net}.${i}`, () => resolve(srv));
  })));
}

/** Closes what memberServers started. */
export function closeServers(servers: http.Server[]): void {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
}

/** The gen-large document (10 members, 5 L7 policies a listener) moved into a loopback block. */
export function largeDoc(listeners: number, net: string): any {
  const d: any = genLarge(listeners, 10, 5);
  d.loadbalancer.vip_address = `${net}.2`;
  for (const p of d.loadbalancer.pools) for (const m of p.members) m.address = `${net}.${3 + (Number(m.address.split('.')[3]) % 200)}`;
  return d;
}
