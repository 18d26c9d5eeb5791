/**
 * Real haproxy, real members on 127.10.1.0/24: algorithms, weights, backup,
 * health monitors and admin state do what the contract says.
 */
import { startHaproxy, freePort, serverStatus, waitFor, type RunningHaproxy } from '../lib/haproxy-harness';
import { request, spread, startBackend, type Backend } from '../lib/render-backends';
import { rawDoc, rawListener, rawMember, rawPool } from '../lib/render-fixtures';

const VIP = '127.10.1.1';
const ADDR = (i: number) => `127.10.1.${10 + i}`;
let backends: Backend[] = [];
let hx: RunningHaproxy;
const ports: Record<string, number> = {};

/** member ids are unique per document; the backend still answers its own id */
const member = (pool: string, b: Backend, extra = {}) => rawMember(`${pool}.${b.id}`, b.address, b.port, extra);
const fastTcpCheck = { healthmonitor_id: 'hm-tcp', type: 'TCP', delay: 1, timeout: 1, max_retries: 1, max_retries_down: 1 };
const httpCheck = { healthmonitor_id: 'hm-http', type: 'HTTP', delay: 1, timeout: 1, max_retries: 1, max_retries_down: 1, url_path: '/health', expected_codes: '200' };

beforeAll(async () => {
  backends = await Promise.all(Array.from({ length: 14 }, (_, i) => startBackend(`m${i}`, ADDR(i))));
  const b = backends;
  for (const name of ['rr', 'weights', 'backup', 'health', 'disabled', 'pooloff', 'leastconn', 'srcip', 'srcport', 'monitor']) ports[name] = await freePort(VIP);
  const listeners = Object.entries(ports).map(([name, port]) => rawListener(`l-${name}`, port, `p-${name}`));
  const pools = [
    rawPool('p-rr', [member('rr', b[0]), member('rr', b[1]), member('rr', b[2])]),
    rawPool('p-weights', [member('weights', b[3], { weight: 1 }), member('weights', b[4], { weight: 3 }), member('weights', b[5], { weight: 0 })]),
    rawPool('p-backup', [member('backup', b[6]), member('backup', b[7], { backup: true })], { healthmonitor: fastTcpCheck }),
    rawPool('p-health', [member('health', b[8]), member('health', b[9])], { healthmonitor: httpCheck }),
    rawPool('p-disabled', [member('disabled', b[10]), member('disabled', b[11], { admin_state_up: false })]),
    rawPool('p-pooloff', [member('pooloff', b[0])], { admin_state_up: false }),
    rawPool('p-leastconn', [member('leastconn', b[1]), member('leastconn', b[2])], { lb_algorithm: 'LEAST_CONNECTIONS' }),
    rawPool('p-srcip', [member('srcip', b[3]), member('srcip', b[4])], { lb_algorithm: 'SOURCE_IP' }),
    rawPool('p-monitor', [member('monitor', b[12], { monitor_address: b[13].address, monitor_port: b[13].port })], { healthmonitor: { ...httpCheck, healthmonitor_id: 'hm-mon', url_path: '/mon' } }),
    rawPool('p-srcport', [member('srcport', b[5]), member('srcport', b[10])], { lb_algorithm: 'SOURCE_IP_PORT' }),
  ];
  hx = await startHaproxy(rawDoc(listeners, pools, { vip_address: VIP }));
}, 30000);

afterAll(async () => {
  await hx?.stop();
  await Promise.all(backends.map((b) => b.close()));
});

test('round robin spreads evenly', async () => {
  expect(await spread(VIP, ports.rr, 30)).toEqual({ m0: 10, m1: 10, m2: 10 });
});

test('weights hold, and weight 0 takes no new traffic', async () => {
  const c = await spread(VIP, ports.weights, 40);
  expect(c.m5).toBeUndefined();
  expect(c.m3).toBe(10);
  expect(c.m4).toBe(30);
});

test('a backup member serves only when the others are down', async () => {
  await waitFor(async () => (await serverStatus(hx.sock))['p-backup:l-backup/backup.m6'] === 'UP', 10000, 'm6 up');
  expect(await spread(VIP, ports.backup, 6)).toEqual({ m6: 6 });
  const primary = backends[6];
  await primary.close();
  await waitFor(async () => (await serverStatus(hx.sock))['p-backup:l-backup/backup.m6'] === 'DOWN', 10000, 'm6 down');
  expect(await spread(VIP, ports.backup, 4)).toEqual({ m7: 4 });
});

test('an HTTP monitor marks a failing member down and a recovered one up', async () => {
  const key = 'p-health:l-health/health.m8';
  await waitFor(async () => (await serverStatus(hx.sock))[key] === 'UP', 10000, 'm8 up');
  expect(backends[8].seen.some((s) => s.path === '/health')).toBe(true);
  backends[8].status = 500;
  await waitFor(async () => (await serverStatus(hx.sock))[key] === 'DOWN', 10000, 'm8 down');
  expect(await spread(VIP, ports.health, 4)).toEqual({ m9: 4 });
  backends[8].status = 200;
  await waitFor(async () => (await serverStatus(hx.sock))[key] === 'UP', 10000, 'm8 back up');
  expect(Object.keys(await spread(VIP, ports.health, 4)).sort()).toEqual(['m8', 'm9']);
});

test('a disabled member takes no traffic and shows MAINT', async () => {
  expect(await spread(VIP, ports.disabled, 6)).toEqual({ m10: 6 });
  expect((await serverStatus(hx.sock))['p-disabled:l-disabled/disabled.m11']).toBe('MAINT');
});

test('a disabled pool answers 503', async () => {
  expect((await request(VIP, ports.pooloff)).status).toBe(503);
});

test('least connections serves through both members', async () => {
  const c = await spread(VIP, ports.leastconn, 10);
  expect(Object.values(c).reduce((a, b) => a + b, 0)).toBe(10);
  expect(Object.keys(c).every((k) => k === 'm1' || k === 'm2')).toBe(true);
});

test('SOURCE_IP keeps one source on one member; other sources may differ', async () => {
  for (const src of ['127.10.1.201', '127.10.1.202', '127.10.1.203']) {
    const c = await spread(VIP, ports.srcip, 5, { localAddress: src });
    expect(Object.values(c)).toEqual([5]);
  }
});

test('SOURCE_IP_PORT hashes the source port too: one source address reaches both members', async () => {
  const c = await spread(VIP, ports.srcport, 30, { localAddress: '127.10.1.210' });
  expect(Object.keys(c).sort()).toEqual(['m10', 'm5']);
});

test('monitor_address and monitor_port move the health check off the traffic port', async () => {
  const key = 'p-monitor:l-monitor/monitor.m12';
  await waitFor(async () => (await serverStatus(hx.sock))[key] === 'UP', 10000, 'm12 up');
  expect(backends[13].seen.some((s) => s.path === '/mon')).toBe(true);
  expect(backends[12].seen.some((s) => s.path === '/mon')).toBe(false);
  backends[13].status = 503;
  await waitFor(async () => (await serverStatus(hx.sock))[key] === 'DOWN', 10000, 'm12 down by its monitor port');
  expect((await request(VIP, ports.monitor)).status).toBe(503);
});
