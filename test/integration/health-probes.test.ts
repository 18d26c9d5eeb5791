/**
 * The agent's own health checks (nginx open source has none) against real
 * members on 127.50.11.0/24: HTTP and HTTPS with method, path, version, Host
 * and expected codes; TCP; TLS-HELLO; UDP-CONNECT; a member that never
 * answers fails within the timeout.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { codeExpected, probeHttp, probeTcp, probeTlsHello, probeUdp, type HttpCheck } from '../../agent/health/probes';
import { freePort, tempDir } from '../lib/haproxy-harness';
import { TestPki } from '../lib/render-certs';

const NET = '127.50.11';
let dir: string;
let seen: { method: string; url: string; version: string; host: string | undefined }[] = [];
let web: http.Server;
let secure: https.Server;
let silent: net.Server;
let udp: dgram.Socket;
const silentConns: net.Socket[] = [];
const port = (s: net.Server | http.Server) => (s.address() as net.AddressInfo).port;

beforeAll(async () => {
  dir = tempDir('amph-probes');
  const pki = new TestPki(dir);
  pki.ca('ca');
  const leaf = pki.leaf('ca', 'm', 'member', 'IP:127.50.11.2');
  const handler: http.RequestListener = (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', version: req.httpVersion, host: req.headers.host });
    res.statusCode = req.url === '/teapot' ? 418 : req.headers.host === 'app.example' || req.httpVersion === '1.0' ? 200 : 400;
    res.end();
  };
  web = http.createServer(handler);
  secure = https.createServer(leaf, handler);
  silent = net.createServer((c) => silentConns.push(c));
  udp = dgram.createSocket('udp4');
  await Promise.all([
    new Promise<void>((r) => web.listen(0, `${NET}.1`, r)),
    new Promise<void>((r) => secure.listen(0, `${NET}.2`, r)),
    new Promise<void>((r) => silent.listen(0, `${NET}.3`, r)),
    new Promise<void>((r) => udp.bind(0, `${NET}.4`, r)),
  ]);
});

afterAll(async () => {
  udp?.close();
  for (const c of silentConns) c.destroy();
  web?.closeAllConnections();
  secure?.closeAllConnections();
  await Promise.all([web, secure, silent].map((s) => new Promise((r) => s?.close(r))));
  fs.rmSync(dir, { recursive: true, force: true });
});

const check = (o: Partial<HttpCheck> = {}): HttpCheck => ({ method: 'GET', path: '/health', version: 1.1, host: 'app.example', expected: '200', ...o });

test.each([
  ['200', 200, true], ['200', 201, false], ['200,202', 202, true], ['200, 202', 202, true], ['200-204', 204, true], ['200-204', 205, false],
])('codeExpected(%p, %p) = %p', (e, c, want) => expect(codeExpected(e, c)).toBe(want));

test('HTTP/1.1 sends method, path and Host, and passes on an expected code', async () => {
  seen = [];
  expect(await probeHttp({ address: `${NET}.1`, port: port(web) }, false, check({ method: 'HEAD', path: '/a/b?c=1' }), 2000)).toBe(true);
  expect(seen).toEqual([{ method: 'HEAD', url: '/a/b?c=1', version: '1.1', host: 'app.example' }]);
});

test('HTTP/1.1 without domain_name sends no Host (as Octavia): a member that needs one answers 400, which fails', async () => {
  expect(await probeHttp({ address: `${NET}.1`, port: port(web) }, false, check({ host: null }), 2000)).toBe(false);
});

test('HTTP/1.0 sends an HTTP/1.0 request; an unexpected code fails', async () => {
  seen = [];
  expect(await probeHttp({ address: `${NET}.1`, port: port(web) }, false, check({ version: 1.0, host: null }), 2000)).toBe(true);
  expect(seen[0]).toMatchObject({ version: '1.0', host: undefined });
  expect(await probeHttp({ address: `${NET}.1`, port: port(web) }, false, check({ path: '/teapot' }), 2000)).toBe(false);
  expect(await probeHttp({ address: `${NET}.1`, port: port(web) }, false, check({ path: '/teapot', expected: '400-499' }), 2000)).toBe(true);
});

test('HTTPS checks over TLS without verifying the certificate', async () => {
  expect(await probeHttp({ address: `${NET}.2`, port: port(secure) }, true, check(), 2000)).toBe(true);
  expect(await probeHttp({ address: `${NET}.1`, port: port(web) }, true, check(), 2000)).toBe(false);
});

test('TCP connects; a closed port fails', async () => {
  expect(await probeTcp({ address: `${NET}.1`, port: port(web) }, 2000)).toBe(true);
  expect(await probeTcp({ address: `${NET}.5`, port: await freePort(`${NET}.5`) }, 2000)).toBe(false);
});

test('TLS-HELLO passes on a TLS member and fails on a plain one', async () => {
  expect(await probeTlsHello({ address: `${NET}.2`, port: port(secure) }, 2000)).toBe(true);
  expect(await probeTlsHello({ address: `${NET}.1`, port: port(web) }, 2000)).toBe(false);
});

test('a member that accepts and never answers fails within the timeout', async () => {
  const t0 = Date.now();
  expect(await probeHttp({ address: `${NET}.3`, port: port(silent) }, false, check(), 300)).toBe(false);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
});

test('UDP-CONNECT: a bound port passes (no port unreachable within the timeout), a closed one fails', async () => {
  expect(await probeUdp({ address: `${NET}.4`, port: (udp.address() as net.AddressInfo).port }, 300)).toBe(true);
  const closed = dgram.createSocket('udp4');
  await new Promise<void>((r) => closed.bind(0, `${NET}.6`, r));
  const p = (closed.address() as net.AddressInfo).port;
  closed.close();
  expect(await probeUdp({ address: `${NET}.6`, port: p }, 2000)).toBe(false);
});
