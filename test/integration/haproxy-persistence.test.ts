/** Real haproxy on 127.10.2.0/24: each session persistence type keeps a client on one member. */
import { startHaproxy, freePort, type RunningHaproxy } from '../lib/haproxy-harness';
import { request, spread, startBackend, type Backend } from '../lib/render-backends';
import { rawDoc, rawListener, rawMember, rawPool } from '../lib/render-fixtures';

const VIP = '127.10.2.1';
let backends: Backend[] = [];
let hx: RunningHaproxy;
const ports: Record<string, number> = {};

beforeAll(async () => {
  backends = await Promise.all([0, 1].map((i) => startBackend(`m${i}`, `127.10.2.${10 + i}`)));
  for (const b of backends) b.responseHeaders['set-cookie'] = `JSESSIONID=tok-${b.id}; Path=/`;
  const members = (pool: string) => backends.map((b) => rawMember(`${pool}.${b.id}`, b.address, b.port));
  for (const name of ['srcip', 'cookie', 'app', 'none']) ports[name] = await freePort(VIP);
  const pools = [
    rawPool('p-srcip', members('srcip'), { session_persistence: { type: 'SOURCE_IP', persistence_timeout: 60 } }),
    rawPool('p-cookie', members('cookie'), { session_persistence: { type: 'HTTP_COOKIE' } }),
    rawPool('p-app', members('app'), { session_persistence: { type: 'APP_COOKIE', cookie_name: 'JSESSIONID' } }),
    rawPool('p-none', members('none')),
  ];
  const listeners = Object.entries(ports).map(([name, port]) => rawListener(`l-${name}`, port, `p-${name}`));
  hx = await startHaproxy(rawDoc(listeners, pools, { vip_address: VIP }));
}, 30000);

afterAll(async () => {
  await hx?.stop();
  await Promise.all(backends.map((b) => b.close()));
});

test('without persistence round robin alternates (the baseline the others differ from)', async () => {
  expect(await spread(VIP, ports.none, 6)).toEqual({ m0: 3, m1: 3 });
});

test('SOURCE_IP: each source address sticks to one member; sources are spread', async () => {
  const used = new Set<string>();
  for (const src of ['127.10.2.101', '127.10.2.102', '127.10.2.103', '127.10.2.104']) {
    const c = await spread(VIP, ports.srcip, 5, { localAddress: src });
    expect(Object.values(c)).toEqual([5]);
    used.add(Object.keys(c)[0]);
  }
  expect([...used].sort()).toEqual(['m0', 'm1']);
});

test('HTTP_COOKIE: haproxy inserts a cookie naming the member and honours it', async () => {
  const first = await request(VIP, ports.cookie);
  const setCookie = (first.headers['set-cookie'] ?? []).find((c) => c.startsWith('SRV='));
  expect(setCookie).toBeDefined();
  const member = String(first.headers['x-member']);
  expect(setCookie).toContain(`cookie.${member}`);
  const cookie = setCookie!.split(';')[0];
  expect(await spread(VIP, ports.cookie, 6, { headers: { cookie } })).toEqual({ [member]: 6 });
});

test('APP_COOKIE: the application\'s cookie value keeps the client on the member that set it', async () => {
  const first = await request(VIP, ports.app);
  const member = String(first.headers['x-member']);
  expect(first.headers['set-cookie']?.[0]).toContain(`tok-${member}`);
  expect(await spread(VIP, ports.app, 6, { headers: { cookie: `JSESSIONID=tok-${member}` } })).toEqual({ [member]: 6 });
  const other = member === 'm0' ? 'm1' : 'm0';
  // the other member's token, learned from its first answer, sticks to it
  await spread(VIP, ports.app, 2);
  expect(await spread(VIP, ports.app, 4, { headers: { cookie: `JSESSIONID=tok-${other}` } })).toEqual({ [other]: 4 });
});
