/**
 * Real haproxy on 127.10.5.0/24 (clients from other 127.10.5.x sources):
 * allowed_cidrs, inserted headers, PROXY protocol, TCP, PROMETHEUS,
 * connection_limit, an IPv6 additional VIP, disabled listeners and load balancers.
 */
import * as net from 'node:net';
import { startHaproxy, freePort, statsCommand, type RunningHaproxy } from '../lib/haproxy-harness';
import { request, startBackend, startProxyBackend, type Backend, type ProxyBackend } from '../lib/render-backends';
import { rawDoc, rawListener, rawMember, rawPool } from '../lib/render-fixtures';

const VIP = '127.10.5.1';
const INSIDE = '127.10.5.200';
const OUTSIDE = '127.10.5.50';
let hx: RunningHaproxy;
let off: RunningHaproxy;
let web: Backend;
let v1: ProxyBackend;
let v2: ProxyBackend;
const ports: Record<string, number> = {};

beforeAll(async () => {
  web = await startBackend('web', '127.10.5.10');
  v1 = await startProxyBackend('127.10.5.11');
  v2 = await startProxyBackend('127.10.5.12');
  for (const n of ['cidr', 'headers', 'v1', 'v2', 'tcp', 'metrics', 'disabled', 'limit', 'lboff']) ports[n] = await freePort(VIP);
  const headers = { 'X-Forwarded-For': 'true', 'X-Forwarded-Port': 'true', 'X-Forwarded-Proto': 'true' };
  const listeners = [
    rawListener('cidr', ports.cidr, 'p-web', { allowed_cidrs: ['127.10.5.128/25', '192.0.2.0/24'] }),
    rawListener('headers', ports.headers, 'p-web', { insert_headers: headers }),
    rawListener('v1', ports.v1, 'p-v1'),
    rawListener('v2', ports.v2, 'p-v2', { protocol: 'TCP' }),
    rawListener('tcp', ports.tcp, 'p-tcp', { protocol: 'TCP' }),
    rawListener('metrics', ports.metrics, null, { protocol: 'PROMETHEUS', allowed_cidrs: ['127.10.5.128/25'] }),
    rawListener('disabled', ports.disabled, 'p-web', { admin_state_up: false }),
    rawListener('limit', ports.limit, 'p-web', { connection_limit: 7 }),
  ];
  const pools = [
    rawPool('p-web', [rawMember('m-web', web.address, web.port)]),
    rawPool('p-v1', [rawMember('m-v1', v1.address, v1.port)], { protocol: 'PROXY' }),
    rawPool('p-v2', [rawMember('m-v2', v2.address, v2.port)], { protocol: 'PROXYV2' }),
    rawPool('p-tcp', [rawMember('m-tcp', web.address, web.port)], { protocol: 'TCP' }),
  ];
  hx = await startHaproxy(rawDoc(listeners, pools, { vip_address: VIP, additional_vips: [{ ip_address: '::1' }] }));
  off = await startHaproxy(
    rawDoc([rawListener('lboff', ports.lboff, 'p-web')], [rawPool('p-web', [rawMember('m-web', web.address, web.port)])], { vip_address: VIP, admin_state_up: false }),
  );
}, 30000);

afterAll(async () => {
  await hx?.stop();
  await off?.stop();
  await Promise.all([web, v1, v2].filter(Boolean).map((b) => b.close()));
});

/** Resolves true when a TCP connection is accepted and kept long enough to answer, false when refused or cut. */
const served = (port: number, localAddress?: string, host = VIP) => request(host, port, { localAddress }).then((r) => r.status > 0, () => false);

test('allowed_cidrs: sources inside are served, others are dropped at connect', async () => {
  expect(await served(ports.cidr, INSIDE)).toBe(true);
  expect(await served(ports.cidr, OUTSIDE)).toBe(false);
});

test('inserted headers arrive at the member', async () => {
  await request(VIP, ports.headers, { localAddress: INSIDE, headers: { 'x-forwarded-for': '203.0.113.9' } });
  const h = web.seen.at(-1)!.headers;
  expect(h['x-forwarded-for']).toBe(`203.0.113.9, ${INSIDE}`);
  expect(h['x-forwarded-port']).toBe(String(ports.headers));
  expect(h['x-forwarded-proto']).toBe('http');
});

test('PROXY pools send a v1 header naming the client', async () => {
  const r = await request(VIP, ports.v1, { localAddress: INSIDE });
  expect(r.body).toBe('proxied');
  expect(v1.headers.at(-1)).toMatch(new RegExp(`^PROXY TCP4 ${INSIDE.replace(/\./g, '\\.')} ${VIP.replace(/\./g, '\\.')} \\d+ ${ports.v1}$`));
});

test('PROXYV2 pools send a v2 header naming the client', async () => {
  const r = await request(VIP, ports.v2, { localAddress: INSIDE });
  expect(r.body).toBe('proxied');
  const hex = v2.headers.at(-1)!;
  expect(hex.startsWith('v2:0d0a0d0a000d0a515549540a21')).toBe(true);
  const src = Buffer.from(hex.slice(3), 'hex').subarray(16, 20);
  expect([...src].join('.')).toBe(INSIDE);
});

test('a TCP listener proxies the byte stream', async () => {
  const r = await request(VIP, ports.tcp);
  expect([r.status, r.headers['x-member']]).toEqual([200, 'web']);
});

test('a PROMETHEUS listener serves haproxy metrics on /metrics, within its allowed_cidrs', async () => {
  const r = await request(VIP, ports.metrics, { path: '/metrics', localAddress: INSIDE });
  expect(r.status).toBe(200);
  expect(r.body).toMatch(/^haproxy_frontend_current_sessions\{proxy="headers"\}/m);
  expect((await request(VIP, ports.metrics, { path: '/other', localAddress: INSIDE })).status).toBe(404);
  expect(await served(ports.metrics, OUTSIDE)).toBe(false);
});

test('connection_limit becomes the frontend session limit', async () => {
  const csv = await statsCommand(hx.sock, 'show stat');
  const head = csv.split('\n')[0].replace(/^# /, '').split(',');
  const row = csv.split('\n').map((l) => l.split(',')).find((f) => f[0] === 'limit' && f[1] === 'FRONTEND')!;
  expect(row[head.indexOf('slim')]).toBe('7');
});

test('every listener is bound on the IPv6 additional VIP too', async () => {
  const r = await request('::1', ports.headers);
  expect(r.headers['x-member']).toBe('web');
});

test('a disabled listener is not served', async () => {
  await expect(new Promise((resolve, reject) => net.connect(ports.disabled, VIP).on('connect', resolve).on('error', reject))).rejects.toThrow(/ECONNREFUSED/);
});

test('a disabled load balancer serves nothing', async () => {
  expect(await served(ports.lboff)).toBe(false);
});
