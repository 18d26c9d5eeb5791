/**
 * Real nginx, real members on 127.50.4.0/24: algorithms, weights, backup and
 * admin state do what the contract says, with the balancing state shared by
 * the workers (exact round-robin counts). Members the agent's monitors hold
 * DOWN are rendered `down` (the prober itself is tested in agent tests).
 */
import { freePort, startNginx, type RunningNginx } from '../lib/nginx-harness';
import { request, spread, startBackend, type Backend } from '../lib/render-backends';
import { rawDoc, rawListener, rawMember, rawPool } from '../lib/render-fixtures';

const VIP = '127.50.4.1';
const ADDR = (i: number) => `127.50.4.${10 + i}`;
let backends: Backend[] = [];
let nx: RunningNginx;
let doc: unknown;
const ports: Record<string, number> = {};

const member = (pool: string, b: Backend, extra = {}) => rawMember(`${pool}.${b.id}`, b.address, b.port, extra);

beforeAll(async () => {
  backends = await Promise.all(Array.from({ length: 12 }, (_, i) => startBackend(`m${i}`, ADDR(i))));
  const b = backends;
  for (const name of ['rr', 'weights', 'backup', 'disabled', 'pooloff', 'empty', 'leastconn', 'srcip', 'srcport', 'tcprr']) ports[name] = await freePort(VIP);
  const listeners = Object.entries(ports).map(([name, port]) => rawListener(`l-${name}`, port, `p-${name}`, name.startsWith('tcp') ? { protocol: 'TCP' } : {}));
  const pools = [
    rawPool('p-rr', [member('rr', b[0]), member('rr', b[1]), member('rr', b[2])]),
    rawPool('p-weights', [member('weights', b[3], { weight: 1 }), member('weights', b[4], { weight: 3 }), member('weights', b[5], { weight: 0 })]),
    rawPool('p-backup', [member('backup', b[6]), member('backup', b[7], { backup: true })]),
    rawPool('p-disabled', [member('disabled', b[8]), member('disabled', b[9], { admin_state_up: false })]),
    rawPool('p-pooloff', [member('pooloff', b[0])], { admin_state_up: false }),
    rawPool('p-empty', []),
    rawPool('p-leastconn', [member('leastconn', b[1]), member('leastconn', b[2])], { lb_algorithm: 'LEAST_CONNECTIONS' }),
    rawPool('p-srcip', [member('srcip', b[3]), member('srcip', b[4])], { lb_algorithm: 'SOURCE_IP' }),
    rawPool('p-srcport', [member('srcport', b[5]), member('srcport', b[10])], { lb_algorithm: 'SOURCE_IP_PORT' }),
    rawPool('p-tcprr', [member('tcprr', b[10]), member('tcprr', b[11])], { protocol: 'TCP' }),
  ];
  doc = rawDoc(listeners, pools, { vip_address: VIP });
  nx = await startNginx(doc);
}, 30000);

afterAll(async () => {
  await nx?.stop();
  await Promise.all(backends.map((b) => b.close()));
});

test('round robin spreads evenly across the workers (one shared state)', async () => {
  expect(await spread(VIP, ports.rr, 30)).toEqual({ m0: 10, m1: 10, m2: 10 });
  expect(await spread(VIP, ports.tcprr, 10)).toEqual({ m10: 5, m11: 5 });
});

test('weights hold, and weight 0 takes no new traffic', async () => {
  const c = await spread(VIP, ports.weights, 40);
  expect(c).toEqual({ m3: 10, m4: 30 });
});

test('a disabled member takes no traffic', async () => {
  expect(await spread(VIP, ports.disabled, 6)).toEqual({ m8: 6 });
});

test('a disabled pool, and a pool without members, answer 503', async () => {
  expect((await request(VIP, ports.pooloff)).status).toBe(503);
  expect((await request(VIP, ports.empty)).status).toBe(503);
});

test('least connections serves through both members', async () => {
  const c = await spread(VIP, ports.leastconn, 10);
  expect(Object.values(c).reduce((a, x) => a + x, 0)).toBe(10);
  expect(Object.keys(c).every((k) => k === 'm1' || k === 'm2')).toBe(true);
});

test('SOURCE_IP keeps one source on one member; sources are spread', async () => {
  const used = new Set<string>();
  for (const src of ['127.50.4.201', '127.50.4.202', '127.50.4.203', '127.50.4.204', '127.50.4.205']) {
    const c = await spread(VIP, ports.srcip, 5, { localAddress: src });
    expect(Object.values(c)).toEqual([5]);
    used.add(Object.keys(c)[0]);
  }
  expect([...used].sort()).toEqual(['m3', 'm4']);
});

test('SOURCE_IP_PORT hashes the source port too: one source address reaches both members', async () => {
  const c = await spread(VIP, ports.srcport, 30, { localAddress: '127.50.4.210' });
  expect(Object.keys(c).sort()).toEqual(['m10', 'm5']);
});

test('a member held DOWN is left out; a backup serves only when the primaries are down; all down answers 503', async () => {
  expect(await spread(VIP, ports.backup, 6)).toEqual({ m6: 6 });
  await nx.reload(doc, { downMembers: ['backup.m6'] });
  expect(await spread(VIP, ports.backup, 4)).toEqual({ m7: 4 });
  await nx.reload(doc, { downMembers: ['backup.m6', 'backup.m7', 'rr.m0'] });
  expect((await request(VIP, ports.backup)).status).toBe(503);
  expect(await spread(VIP, ports.rr, 6)).toEqual({ m1: 3, m2: 3 });
  await nx.reload(doc, {});
  expect(await spread(VIP, ports.backup, 2)).toEqual({ m6: 2 });
});
