/**
 * Real nginx on 127.50.31.0/24: the drain flag the agent raises before a
 * reload (renderers/nginx/README.md "Reloads"). While the flag exists every
 * HTTP/1.1 answer says `Connection: close`, and nothing else changes: bodies
 * reach the member, L7 rejects, redirects and pool choices act as before, and
 * a pinned member that refuses still falls back to its pool (the pool
 * location's own error_page). Without the flag the connection is kept alive.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as path from 'node:path';
import { DRAIN_FILE } from '../../renderers/nginx';
import { freePort, startNginx, type RunningNginx } from '../lib/nginx-harness';
import { startBackend, type Backend } from '../lib/render-backends';
import { rawDoc, rawListener, rawMember, rawPolicy, rawPool, rawRule } from '../lib/render-fixtures';

const VIP = '127.50.31.1';
let backends: Backend[] = [];
let echo: http.Server;
let echoPort: number;
let nx: RunningNginx;
const ports: Record<string, number> = {};

/** A member that answers the length and sha256 of the body it received. */
function startEcho(address: string): Promise<http.Server> {
  const s = http.createServer((req, res) => {
    const h = crypto.createHash('sha256');
    let n = 0;
    req.on('data', (d: Buffer) => {
      n += d.length;
      h.update(d);
    });
    req.on('end', () => {
      res.writeHead(200, { 'x-member': 'echo', 'x-length': String(n), 'x-sha256': h.digest('hex') });
      res.end('ok');
    });
  });
  return new Promise((r) => s.listen(0, address, () => r(s)));
}

beforeAll(async () => {
  backends = await Promise.all([0, 1].map((i) => startBackend(`m${i}`, `127.50.31.${10 + i}`)));
  echo = await startEcho('127.50.31.12');
  echoPort = (echo.address() as net.AddressInfo).port;
  for (const name of ['l7', 'pin', 'body']) ports[name] = await freePort(VIP);
  const deadPort = await freePort('127.50.31.13');
  const pools = [
    rawPool('p-main', [rawMember('main.m0', backends[0].address, backends[0].port)]),
    rawPool('p-alt', [rawMember('alt.m1', backends[1].address, backends[1].port)]),
    rawPool('p-pin', [rawMember('pin.dead', '127.50.31.13', deadPort), rawMember('pin.m1', backends[1].address, backends[1].port)], { session_persistence: { type: 'HTTP_COOKIE' } }),
    rawPool('p-body', [rawMember('body.echo', '127.50.31.12', echoPort)]),
  ];
  const listeners = [
    rawListener('l-l7', ports.l7, 'p-main', {
      l7policies: [
        rawPolicy('pol-reject', 'REJECT', [rawRule('r-reject', 'PATH', 'STARTS_WITH', '/reject')], { position: 1 }),
        rawPolicy('pol-url', 'REDIRECT_TO_URL', [rawRule('r-url', 'PATH', 'EQUAL_TO', '/go')], { position: 2, redirect_url: 'https://x.example/target' }),
        rawPolicy('pol-alt', 'REDIRECT_TO_POOL', [rawRule('r-alt', 'PATH', 'STARTS_WITH', '/alt')], { position: 3, redirect_pool_id: 'p-alt' }),
      ],
    }),
    rawListener('l-pin', ports.pin, 'p-pin'),
    rawListener('l-body', ports.body, 'p-body'),
  ];
  nx = await startNginx(rawDoc(listeners, pools, { vip_address: VIP }));
}, 30000);

afterAll(async () => {
  await nx?.stop();
  await Promise.all(backends.map((b) => b.close()));
  await new Promise((r) => echo?.close(r));
});

const flag = () => path.join(nx.runDir, DRAIN_FILE);
const raise = () => fs.writeFileSync(flag(), '');
const lower = () => fs.rmSync(flag(), { force: true });

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** the request went on a connection an earlier one had used */
  reused: boolean;
  /** the client's port: the same on a kept-alive connection */
  localPort: number;
}

/** One request through `agent` (keep-alive), with an optional body. */
function send(agent: http.Agent, port: number, o: { path?: string; method?: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...o.headers, ...(o.body && !o.chunked ? { 'content-length': String(o.body.length) } : {}) };
    const req = http.request({ host: VIP, port, path: o.path ?? '/', method: o.method ?? 'GET', agent, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reused: req.reusedSocket, localPort: req.socket?.localPort ?? 0 }));
      res.on('error', reject);
    });
    req.setTimeout(8000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (o.body && o.chunked) {
      // in pieces, so nginx reads the body as it streams
      for (let i = 0; i < o.body.length; i += 65536) req.write(o.body.subarray(i, i + 65536));
    } else if (o.body) req.write(o.body);
    req.end();
  });
}

/** Two requests on one keep-alive agent holding one connection. */
async function twice(port: number, o: Parameters<typeof send>[2] = {}): Promise<[Answer, Answer]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const a = await send(agent, port, o);
    const b = await send(agent, port, o);
    return [a, b];
  } finally {
    agent.destroy();
  }
}

describe('with the drain flag down', () => {
  beforeAll(lower);

  test('a keep-alive connection is kept alive: the second request goes on the same connection', async () => {
    const [a, b] = await twice(ports.l7);
    expect([a.status, a.headers['x-member'], a.headers.connection]).toEqual([200, 'm0', 'keep-alive']);
    expect([b.status, b.reused, b.localPort]).toEqual([200, true, a.localPort]);
  });
});

describe('with the drain flag up', () => {
  beforeAll(raise);
  afterAll(lower);

  test('every answer says Connection: close and nginx closes the connection: the next request needs a new one', async () => {
    const [a, b] = await twice(ports.l7);
    expect([a.status, a.headers['x-member'], a.headers.connection]).toEqual([200, 'm0', 'close']);
    expect([b.status, b.headers.connection, b.reused]).toEqual([200, 'close', false]);
  });

  test('L7 policies act as without the flag: reject, redirect, another pool', async () => {
    const [reject] = await twice(ports.l7, { path: '/reject/x' });
    expect([reject.status, reject.headers.connection]).toEqual([403, 'close']);
    const [redirect] = await twice(ports.l7, { path: '/go' });
    expect([redirect.status, redirect.headers.location, redirect.headers.connection]).toEqual([302, 'https://x.example/target', 'close']);
    const [alt] = await twice(ports.l7, { path: '/alt/y?q=1' });
    expect([alt.status, alt.headers['x-member'], alt.headers.connection]).toEqual([200, 'm1', 'close']);
    // the member gets the request target as the client sent it, not the drain's internal URI
    expect(backends[1].seen.at(-1)?.path).toBe('/alt/y?q=1');
  });

  test('a pinned member that refuses the connection is left for the pool (the pool location\'s error_page still fires)', async () => {
    const [a] = await twice(ports.pin, { headers: { cookie: 'SRV=pin.dead' } });
    expect([a.status, a.headers['x-member'], a.headers.connection]).toEqual([200, 'm1', 'close']);
    expect(a.headers['set-cookie']).toEqual([expect.stringMatching(/^SRV=pin\.m1;/)]);
  });

  test.each([
    ['with a Content-Length', false],
    ['chunked', true],
  ])('a POST body %s reaches the member whole', async (_what, chunked) => {
    const body = crypto.randomBytes(3 * 1024 * 1024 + 17);
    const sha = crypto.createHash('sha256').update(body).digest('hex');
    const [a, b] = await twice(ports.body, { method: 'POST', body, chunked });
    for (const r of [a, b]) expect([r.status, r.headers['x-length'], r.headers['x-sha256'], r.headers.connection]).toEqual([200, String(body.length), sha, 'close']);
  });
});

test('lowering the flag brings keep-alive back without a reload', async () => {
  raise();
  const [closed] = await twice(ports.l7);
  expect(closed.headers.connection).toBe('close');
  lower();
  const [a, b] = await twice(ports.l7);
  expect([a.headers.connection, b.reused, b.localPort]).toEqual(['keep-alive', true, a.localPort]);
});
