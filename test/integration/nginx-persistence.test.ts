/**
 * Real nginx on 127.50.5.0/24: each session persistence type keeps a client
 * on one member (renderers/nginx/README.md: how, and where it differs from
 * haproxy): SOURCE_IP by hashing the (masked) source; HTTP_COOKIE by the
 * `SRV` cookie nginx inserts; APP_COOKIE by the member cookie nginx sets
 * beside the application's, honoured while the application's cookie is sent.
 */
import { freePort, startNginx, type RunningNginx } from '../lib/nginx-harness';
import { request, spread, startBackend, type Backend } from '../lib/render-backends';
import { rawDoc, rawListener, rawMember, rawPool } from '../lib/render-fixtures';

const VIP = '127.50.5.1';
let backends: Backend[] = [];
let nx: RunningNginx;
let doc: unknown;
const ports: Record<string, number> = {};

beforeAll(async () => {
  backends = await Promise.all([0, 1].map((i) => startBackend(`m${i}`, `127.50.5.${10 + i}`)));
  for (const b of backends) b.responseHeaders['set-cookie'] = `JSESSIONID=tok-${b.id}; Path=/`;
  const members = (pool: string) => backends.map((b) => rawMember(`${pool}.${b.id}`, b.address, b.port));
  for (const name of ['srcip', 'srcnet', 'cookie', 'app', 'none', 'redispatch']) ports[name] = await freePort(VIP);
  const deadPort = await freePort('127.50.5.12');
  const pools = [
    rawPool('p-srcip', members('srcip'), { session_persistence: { type: 'SOURCE_IP', persistence_timeout: 60 } }),
    rawPool('p-srcnet', members('srcnet'), { session_persistence: { type: 'SOURCE_IP', persistence_granularity: '255.255.255.0' } }),
    rawPool('p-cookie', members('cookie'), { session_persistence: { type: 'HTTP_COOKIE', persistence_timeout: 120 } }),
    rawPool('p-app', members('app'), { session_persistence: { type: 'APP_COOKIE', cookie_name: 'JSESSIONID' } }),
    rawPool('p-none', members('none')),
    rawPool('p-redispatch', [rawMember('redispatch.dead', '127.50.5.12', deadPort), rawMember('redispatch.m0', backends[0].address, backends[0].port)], { session_persistence: { type: 'HTTP_COOKIE' } }),
  ];
  const listeners = Object.entries(ports).map(([name, port]) => rawListener(`l-${name}`, port, `p-${name}`));
  doc = rawDoc(listeners, pools, { vip_address: VIP });
  nx = await startNginx(doc);
}, 30000);

afterAll(async () => {
  await nx?.stop();
  await Promise.all(backends.map((b) => b.close()));
});

/** The cookies a response sets, as one Cookie header a client would send back. */
const jar = (setCookie: string[] | undefined) => (setCookie ?? []).map((c) => c.split(';')[0]).join('; ');

test('without persistence round robin alternates (the baseline the others differ from)', async () => {
  expect(await spread(VIP, ports.none, 6)).toEqual({ m0: 3, m1: 3 });
});

test('SOURCE_IP: each source address sticks to one member; sources are spread', async () => {
  const used = new Set<string>();
  for (const src of ['127.50.5.101', '127.50.5.102', '127.50.5.103', '127.50.5.104', '127.50.5.105']) {
    const c = await spread(VIP, ports.srcip, 5, { localAddress: src });
    expect(Object.values(c)).toEqual([5]);
    used.add(Object.keys(c)[0]);
  }
  expect([...used].sort()).toEqual(['m0', 'm1']);
});

test('SOURCE_IP with granularity 255.255.255.0: a whole /24 sticks to one member', async () => {
  const c = await spread(VIP, ports.srcnet, 1, { localAddress: '127.50.5.101' });
  const member = Object.keys(c)[0];
  for (const src of ['127.50.5.102', '127.50.5.150', '127.50.5.201']) expect(await spread(VIP, ports.srcnet, 2, { localAddress: src })).toEqual({ [member]: 2 });
});

test('HTTP_COOKIE: nginx inserts SRV naming the member (Max-Age = persistence_timeout), honours it and keeps it from the member', async () => {
  const first = await request(VIP, ports.cookie);
  const member = String(first.headers['x-member']);
  const setCookie = (first.headers['set-cookie'] ?? []).find((c) => c.startsWith('SRV='));
  expect(setCookie).toBe(`SRV=cookie.${member}; Max-Age=120; Path=/`);
  const cookie = `other=1; ${setCookie!.split(';')[0]}`;
  expect(await spread(VIP, ports.cookie, 6, { headers: { cookie } })).toEqual({ [member]: 6 });
  const b = backends.find((x) => x.id === member)!;
  expect(b.seen.at(-1)!.headers.cookie).toBe('other=1');
});

test('HTTP_COOKIE: a pinned member held DOWN is left for the others, and the cookie follows', async () => {
  const r = await request(VIP, ports.cookie, { headers: { cookie: 'SRV=cookie.m0' } });
  expect(r.headers['x-member']).toBe('m0');
  await nx.reload(doc, { downMembers: ['cookie.m0'] });
  const moved = await request(VIP, ports.cookie, { headers: { cookie: 'SRV=cookie.m0' } });
  expect(moved.headers['x-member']).toBe('m1');
  expect(moved.headers['set-cookie']).toContain('SRV=cookie.m1; Max-Age=120; Path=/');
  await nx.reload(doc, {});
});

test('APP_COOKIE: a client returning its cookies stays on the member that set the application\'s cookie', async () => {
  for (let i = 0; i < 2; i++) {
    const first = await request(VIP, ports.app);
    const member = String(first.headers['x-member']);
    expect(jar(first.headers['set-cookie'])).toBe(`JSESSIONID=tok-${member}; AMPHORA_SRV=app.${member}`);
    expect(await spread(VIP, ports.app, 6, { headers: { cookie: jar(first.headers['set-cookie']) } })).toEqual({ [member]: 6 });
  }
  // without the application's cookie the member cookie alone pins nothing
  const c = await spread(VIP, ports.app, 4, { headers: { cookie: 'AMPHORA_SRV=app.m0' } });
  expect(c).toEqual({ m0: 2, m1: 2 });
});

test('HTTP_COOKIE: a pinned member that refuses the connection is left for the pool (haproxy\'s redispatch)', async () => {
  const r = await request(VIP, ports.redispatch, { headers: { cookie: 'SRV=redispatch.dead' } });
  expect([r.status, r.headers['x-member']]).toEqual([200, 'm0']);
  expect(r.headers['set-cookie']).toContain('SRV=redispatch.m0; Max-Age=360; Path=/');
});
