/**
 * The L7 conformance suite both engines run with the same documents and the
 * same traffic expectations: every L7 rule type and compare type routes,
 * values match literally (hostile bytes included), policies run in position
 * order, REJECT answers 403 and redirects carry their code and location.
 */
import { freePort } from './haproxy-harness';
import { request, startBackend, type Backend, type RequestOpts } from './render-backends';
import { rawDoc, rawListener, rawMember, rawPolicy, rawPool, rawRule } from './render-fixtures';

/** Starts an engine on a raw document; `stop` ends it. */
export type StartEngine = (raw: unknown) => Promise<{ stop(): Promise<void> }>;

const HOSTILE = `a "quoted" 'single' & #hash ; {brace} \\back \\n $HOME %[src] -m reg`;

type R = [type: string, compare: string, value: string, extra?: Record<string, unknown>];
interface Case {
  name: string;
  rules: R[];
  action?: string;
  policy?: Record<string, unknown>;
  /** requests that must reach this case's pool */
  hit: RequestOpts[];
  /** requests that must reach the default pool */
  miss: RequestOpts[];
}

const host = (h: string): RequestOpts => ({ headers: { host: h } });
const path = (p: string, headers: Record<string, string> = {}): RequestOpts => ({ path: p, headers });

const CASES: Case[] = [
  { name: 'order-first', rules: [['PATH', 'STARTS_WITH', '/order']], hit: [path('/order')], miss: [] },
  { name: 'host-eq', rules: [['HOST_NAME', 'EQUAL_TO', 'host-eq.example']], hit: [host('host-eq.example'), host('HOST-EQ.example:8080')], miss: [host('xhost-eq.example')] },
  { name: 'host-beg', rules: [['HOST_NAME', 'STARTS_WITH', 'hbeg.']], hit: [host('hbeg.example')], miss: [host('x.hbeg.example')] },
  { name: 'host-end', rules: [['HOST_NAME', 'ENDS_WITH', '.hend.example']], hit: [host('a.hend.example')], miss: [host('hend.example.org')] },
  { name: 'host-sub', rules: [['HOST_NAME', 'CONTAINS', 'hsub']], hit: [host('a.hsub.b')], miss: [host('hsu.b')] },
  { name: 'host-re', rules: [['HOST_NAME', 'REGEX', '^hre[0-9]+\\.example$']], hit: [host('hre42.example')], miss: [host('hre.example')] },
  { name: 'path-eq', rules: [['PATH', 'EQUAL_TO', '/exact']], hit: [path('/exact'), path('/exact?q=1')], miss: [path('/exact/more')] },
  { name: 'path-beg', rules: [['PATH', 'STARTS_WITH', '/beg']], hit: [path('/beginning')], miss: [path('/x/beg')] },
  { name: 'path-end', rules: [['PATH', 'ENDS_WITH', '.endx']], hit: [path('/a/b.endx')], miss: [path('/a.endx/b')] },
  { name: 'path-sub', rules: [['PATH', 'CONTAINS', '/sub-']], hit: [path('/a/sub-b')], miss: [path('/a/sub')] },
  { name: 'path-re', rules: [['PATH', 'REGEX', '^/re/[0-9]+$']], hit: [path('/re/12')], miss: [path('/re/x')] },
  { name: 'path-hostile', rules: [['PATH', 'EQUAL_TO', `/h"q'{}\\&$`]], hit: [path(`/h"q'{}\\&$`)], miss: [path('/h')] },
  { name: 'file-eq', rules: [['FILE_TYPE', 'EQUAL_TO', 'jpg']], hit: [path('/pics/cat.jpg'), path('/a.b/c.x.jpg')], miss: [path('/pics.jpg/cat'), path('/jpg'), path('/cat.jpeg')] },
  { name: 'file-re', rules: [['FILE_TYPE', 'REGEX', '^(png|gif)$']], hit: [path('/x/y.gif')], miss: [path('/x/y.gift'), path('/png')] },
  { name: 'hdr-eq', rules: [['HEADER', 'EQUAL_TO', HOSTILE, { key: 'X-Hostile' }]], hit: [path('/', { 'x-hostile': HOSTILE })], miss: [path('/', { 'x-hostile': HOSTILE.replace(/\\/g, '') }), path('/', { 'x-hostile': `${HOSTILE}x` }), path('/', { 'x-hostile': HOSTILE.slice(1) })] },
  { name: 'hdr-beg', rules: [['HEADER', 'STARTS_WITH', `"'#`, { key: 'X-Beg' }]], hit: [path('/', { 'x-beg': `"'#rest` })], miss: [path('/', { 'x-beg': `x"'#` })] },
  { name: 'hdr-end', rules: [['HEADER', 'ENDS_WITH', '};', { key: 'X-End' }]], hit: [path('/', { 'x-end': 'a};' })], miss: [path('/', { 'x-end': '};a' })] },
  { name: 'hdr-sub', rules: [['HEADER', 'CONTAINS', ' & ', { key: 'X-Sub' }]], hit: [path('/', { 'x-sub': 'a & b' })], miss: [path('/', { 'x-sub': 'a&b' })] },
  { name: 'hdr-re', rules: [['HEADER', 'REGEX', '^v[0-9]\\.[0-9]$', { key: 'X-Re' }]], hit: [path('/', { 'x-re': 'v1.2' })], miss: [path('/', { 'x-re': 'v1x2' })] },
  { name: 'cookie-eq', rules: [['COOKIE', 'EQUAL_TO', "choc'#{}", { key: 'flavor' }]], hit: [path('/', { cookie: "a=b; flavor=choc'#{}" })], miss: [path('/', { cookie: 'flavor=choc' })] },
  { name: 'cookie-re', rules: [['COOKIE', 'REGEX', '^beta-[a-z]+$', { key: 'ch' }]], hit: [path('/', { cookie: 'ch=beta-x' })], miss: [path('/', { cookie: 'ch=beta-1' })] },
  { name: 'and-invert', rules: [['PATH', 'STARTS_WITH', '/and'], ['HEADER', 'EQUAL_TO', 'no', { key: 'X-Skip', invert: true }]], hit: [path('/and'), path('/and', { 'x-skip': 'other' })], miss: [path('/and', { 'x-skip': 'no' })] },
  { name: 'disabled', rules: [['PATH', 'STARTS_WITH', '/disabled']], policy: { admin_state_up: false }, hit: [], miss: [path('/disabled')] },
  { name: 'rules-off', rules: [['PATH', 'STARTS_WITH', '/rules-off', { admin_state_up: false }]], hit: [], miss: [path('/rules-off')] },
];

/** Defines the L7 tests against the engine `start` runs, on loopback addresses `${net}.1` (VIP) and up. */
export function describeL7(start: StartEngine, net: string): void {
  const VIP = `${net}.1`;
  let backends: Backend[] = [];
  let engine: { stop(): Promise<void> } | undefined;
  let port = 0;
  /** a second listener whose REJECT and redirects come before its pools (haproxy: no election needed) */
  let nativePort = 0;
  const get = (o: RequestOpts) => request(VIP, port, o);

  beforeAll(async () => {
    const names = ['default', ...CASES.map((c) => c.name)];
    backends = await Promise.all(names.map((n, i) => startBackend(n, `${net}.${10 + i}`)));
    port = await freePort(VIP);
    const pools = backends.map((b) => rawPool(`p-${b.id}`, [rawMember(`m-${b.id}`, b.address, b.port)]));
    const policies = CASES.map((c, i) =>
      rawPolicy(`pol-${c.name}`, 'REDIRECT_TO_POOL', c.rules.map(([t, cmp, v, extra], j) => rawRule(`r-${c.name}-${j}`, t, cmp, v, extra ?? {})), { position: i + 1, redirect_pool_id: `p-${c.name}`, ...c.policy }),
    );
    const n = policies.length;
    policies.push(
      rawPolicy('pol-late-reject', 'REJECT', [rawRule('r-late', 'PATH', 'STARTS_WITH', '/order')], { position: n + 1 }),
      rawPolicy('pol-reject', 'REJECT', [rawRule('r-reject', 'PATH', 'STARTS_WITH', '/reject')], { position: n + 2 }),
      rawPolicy('pol-url', 'REDIRECT_TO_URL', [rawRule('r-url', 'PATH', 'EQUAL_TO', '/go')], { position: n + 3, redirect_url: 'https://x.example/target?a=(1)&b=!*' }),
      rawPolicy('pol-prefix', 'REDIRECT_PREFIX', [rawRule('r-prefix', 'PATH', 'STARTS_WITH', '/pre')], { position: n + 4, redirect_prefix: 'https://y.example', redirect_http_code: 301 }),
      rawPolicy('pol-307', 'REDIRECT_TO_URL', [rawRule('r-307', 'PATH', 'STARTS_WITH', '/r307')], { position: n + 5, redirect_url: 'https://z.example/', redirect_http_code: 307 }),
    );
    nativePort = await freePort(VIP);
    const native = [
      rawPolicy('n-reject', 'REJECT', [rawRule('n-r1', 'PATH', 'STARTS_WITH', '/n/deny')], { position: 1 }),
      rawPolicy('n-prefix', 'REDIRECT_PREFIX', [rawRule('n-r2', 'PATH', 'STARTS_WITH', '/n/moved')], { position: 2, redirect_prefix: 'https://m.example', redirect_http_code: 301 }),
      rawPolicy('n-pool', 'REDIRECT_TO_POOL', [rawRule('n-r3', 'PATH', 'STARTS_WITH', '/n')], { position: 3, redirect_pool_id: 'p-order-first' }),
      rawPolicy('n-pool-late', 'REDIRECT_TO_POOL', [rawRule('n-r4', 'PATH', 'STARTS_WITH', '/n/deny')], { position: 4, redirect_pool_id: 'p-host-eq' }),
      rawPolicy('n-pool-later', 'REDIRECT_TO_POOL', [rawRule('n-r5', 'PATH', 'STARTS_WITH', '/n/x')], { position: 5, redirect_pool_id: 'p-host-eq' }),
    ];
    engine = await start(rawDoc([
      rawListener('l-web', port, 'p-default', { l7policies: policies }),
      rawListener('l-native', nativePort, 'p-default', { l7policies: native }),
    ], pools, { vip_address: VIP }));
  }, 30000);

  afterAll(async () => {
    await engine?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.hit.length) {
      test.each(c.hit.map((o) => [JSON.stringify(o), o] as const))('routes %s to its pool', async (_d, o) => {
        const r = await get(o);
        expect([r.status, r.headers['x-member']]).toEqual([200, c.name]);
      });
    }
    if (c.miss.length) test.each(c.miss.map((o) => [JSON.stringify(o), o] as const))('leaves %s on the default pool', async (_d, o) => {
      const r = await get(o);
      expect([r.status, r.headers['x-member']]).toEqual([200, 'default']);
    });
  });

  test('the first policy by position wins, even over a later REJECT', async () => {
    expect((await get(path('/order/x'))).headers['x-member']).toBe('order-first');
  });

  test.each([
    ['/n/deny/x', 403, undefined],
    ['/n/moved/y', 301, undefined],
    ['/n/x', 200, 'order-first'],
    ['/n', 200, 'order-first'],
    ['/other', 200, 'default'],
  ])('REJECT and redirects before pools: %s -> %i, first match by position', async (p, status, member) => {
    const r = await request(VIP, nativePort, path(p));
    expect([r.status, r.headers['x-member']]).toEqual([status, member]);
    if (status === 301) expect(r.headers.location).toBe(`https://m.example${p}`);
  });

  test('REJECT answers 403', async () => {
    expect((await get(path('/reject/me'))).status).toBe(403);
  });

  test.each([
    ['/go', 302, 'https://x.example/target?a=(1)&b=!*'],
    ['/pre/x?y=1', 301, 'https://y.example/pre/x?y=1'],
    ['/r307', 307, 'https://z.example/'],
  ])('redirect %s -> %i %s', async (p, code, location) => {
    const r = await get(path(p));
    expect([r.status, r.headers.location]).toEqual([code, location]);
  });
}
