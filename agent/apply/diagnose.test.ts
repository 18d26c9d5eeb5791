import * as net from 'node:net';
import { loadExample } from '../../test/lib/examples';
import { validateDocument, type Document } from '../../schemas';
import { diagnoseBind, listenerEndpoints } from './diagnose';

const typed = (d: unknown): Document => {
  const r = validateDocument(d);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
};

describe('diagnoseBind', () => {
  it('lists the bind endpoints of enabled TCP-family listeners on every VIP', () => {
    const d = loadExample('mixed-protocols');
    const eps = listenerEndpoints(typed(d)).map((e) => `${e.host}:${e.port}`);
    expect(eps).toContain(`${d.loadbalancer.vip_address}:5432`);
    expect(eps.some((e) => e.endsWith(':53'))).toBe(false); // UDP belongs to keepalived
  });

  it('names a VRRP address that is not on this machine', async () => {
    const d = loadExample('http-basic');
    d.loadbalancer.vip_address = '127.20.7.2';
    d.amphora = { id: 'a1', topology: 'ACTIVE_STANDBY', role: 'MASTER', vrrp_address: '192.0.2.250', vrrp_priority: 100, vrrp_peers: [{ id: 'a2', address: '192.0.2.251' }] };
    expect(await diagnoseBind(typed(d), null)).toBe('cannot bind amphora.vrrp_address 192.0.2.250 (not an address of this VM)');
  });

  it('names a new listener address that another process holds, and skips those the previous document held', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.20.7.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const d = loadExample('http-basic');
      d.loadbalancer.vip_address = '127.20.7.1';
      d.loadbalancer.listeners[0].protocol_port = port;
      expect(await diagnoseBind(typed(d), null)).toBe(`cannot bind 127.20.7.1:${port} (in use by another process)`);
      expect(await diagnoseBind(typed(d), typed(d))).toBeNull();
    } finally {
      blocker.close();
    }
  });
});
