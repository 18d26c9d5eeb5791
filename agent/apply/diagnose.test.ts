import * as net from 'node:net';
import { loadExample } from '../../test/lib/examples';
import { RENDER_CTX, render } from '../../test/lib/render-fixtures';
import { diagnoseBind, planEndpoints } from './diagnose';

const plan = (raw: unknown) => render(raw as never, RENDER_CTX).serves;

describe('diagnoseBind', () => {
  it('probes the bind endpoints of the listeners the engine serves, on every VIP', () => {
    const d = loadExample('mixed-protocols');
    const eps = planEndpoints(plan(d)).map((e) => `${e.host}:${e.port}`);
    expect(eps).toContain(`${d.loadbalancer.vip_address}:5432`);
    expect(eps.some((e) => e.endsWith(':53'))).toBe(false); // UDP belongs to keepalived
  });

  it('names a VRRP address that is not on this machine', async () => {
    const d = loadExample('http-basic');
    d.loadbalancer.vip_address = '127.20.7.2';
    d.amphora = { id: 'a1', topology: 'ACTIVE_STANDBY', role: 'MASTER', vrrp_address: '192.0.2.250', vrrp_priority: 100, vrrp_peers: [{ id: 'a2', address: '192.0.2.251' }] };
    expect(await diagnoseBind(plan(d), null)).toBe('cannot bind amphora.vrrp_address 192.0.2.250 (not an address of this VM)');
  });

  it('names a new listener address that another process holds, and skips those the previous configuration held', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.20.7.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const d = loadExample('http-basic');
      d.loadbalancer.vip_address = '127.20.7.1';
      d.loadbalancer.listeners[0].protocol_port = port;
      expect(await diagnoseBind(plan(d), null)).toBe(`cannot bind 127.20.7.1:${port} (in use by another process)`);
      expect(await diagnoseBind(plan(d), plan(d))).toBeNull();
    } finally {
      blocker.close();
    }
  });

  it('has nothing to probe for a disabled load balancer', () => {
    const d = loadExample('http-basic');
    d.loadbalancer.admin_state_up = false;
    expect(planEndpoints(plan(d))).toEqual([]);
  });
});
