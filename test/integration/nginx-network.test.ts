/**
 * Real nginx on 127.50.6.0/24 (clients from other 127.50.6.x sources):
 * allowed_cidrs on HTTP, TCP and UDP listeners, inserted headers, PROXY
 * protocol v1 from a TCP listener, UDP datagrams both ways, a TCP
 * connection_limit, an IPv6 additional VIP, disabled listeners and load
 * balancers; and what nginx refuses (PROXYV2, PROXY behind HTTP, PROMETHEUS).
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { checkCapabilities, nginxCapabilities } from '../../renderers';
import { freePort, startNginx, waitFor, type RunningNginx } from '../lib/nginx-harness';
import { request, startBackend, startProxyBackend, type Backend, type ProxyBackend } from '../lib/render-backends';
import { rawDoc, rawListener, rawMember, rawPool, valid } from '../lib/render-fixtures';

const VIP = '127.50.6.1';
const INSIDE = '127.50.6.200';
const OUTSIDE = '127.50.6.50';
let nx: RunningNginx;
let off: RunningNginx;
let web: Backend;
let v1: ProxyBackend;
let echo: dgram.Socket;
let hold: net.Server;
const held: net.Socket[] = [];
const ports: Record<string, number> = {};

beforeAll(async () => {
  web = await startBackend('web', '127.50.6.10');
  v1 = await startProxyBackend('127.50.6.11');
  echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.50.6.12', () => r()));
  // a member that keeps every connection open (the limit test holds connections through it)
  hold = net.createServer((s) => held.push(s.on('error', () => undefined)));
  await new Promise<void>((r) => hold.listen(0, '127.50.6.13', () => r()));
  for (const n of ['cidr', 'tcpcidr', 'headers', 'v1', 'tcp', 'udp', 'udpcidr', 'disabled', 'limit', 'lboff']) ports[n] = await freePort(VIP);
  const headers = { 'X-Forwarded-For': 'true', 'X-Forwarded-Port': 'true', 'X-Forwarded-Proto': 'true' };
  const listeners = [
    rawListener('cidr', ports.cidr, 'p-web', { allowed_cidrs: ['127.50.6.128/25', '192.0.2.0/24'] }),
    rawListener('tcpcidr', ports.tcpcidr, 'p-tcp', { protocol: 'TCP', allowed_cidrs: ['127.50.6.128/25'] }),
    rawListener('headers', ports.headers, 'p-web', { insert_headers: headers }),
    rawListener('v1', ports.v1, 'p-v1', { protocol: 'TCP' }),
    rawListener('tcp', ports.tcp, 'p-tcp', { protocol: 'TCP' }),
    rawListener('udp', ports.udp, 'p-udp', { protocol: 'UDP' }),
    rawListener('udpcidr', ports.udpcidr, 'p-udp', { protocol: 'UDP', allowed_cidrs: ['127.50.6.128/25'] }),
    rawListener('disabled', ports.disabled, 'p-web', { admin_state_up: false }),
    rawListener('limit', ports.limit, 'p-hold', { protocol: 'TCP', connection_limit: 2 }),
  ];
  const pools = [
    rawPool('p-web', [rawMember('m-web', web.address, web.port)]),
    rawPool('p-v1', [rawMember('m-v1', v1.address, v1.port)], { protocol: 'PROXY' }),
    rawPool('p-tcp', [rawMember('m-tcp', web.address, web.port)], { protocol: 'TCP' }),
    rawPool('p-udp', [rawMember('m-udp', '127.50.6.12', (echo.address() as net.AddressInfo).port)], { protocol: 'UDP' }),
    rawPool('p-hold', [rawMember('m-hold', '127.50.6.13', (hold.address() as net.AddressInfo).port)], { protocol: 'TCP' }),
  ];
  nx = await startNginx(rawDoc(listeners, pools, { vip_address: VIP, additional_vips: [{ ip_address: '::1' }] }));
  off = await startNginx(rawDoc([rawListener('lboff', ports.lboff, 'p-web')], [rawPool('p-web', [rawMember('m-web', web.address, web.port)])], { vip_address: VIP, admin_state_up: false }));
}, 30000);

afterAll(async () => {
  await nx?.stop();
  await off?.stop();
  for (const s of held) s.destroy();
  await new Promise((r) => hold?.close(r));
  echo?.close();
  await Promise.all([web, v1].filter(Boolean).map((b) => b.close()));
});

/** Resolves true when a request is answered, false when the connection is refused or closed without an answer. */
const served = (port: number, localAddress?: string, host = VIP) => request(host, port, { localAddress }).then((r) => r.status > 0, () => false);

/** One datagram to `port` from `localAddress`; the answer, or null after a short wait. */
function udpAsk(port: number, text: string, localAddress?: string): Promise<string | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const done = (v: string | null) => {
      clearTimeout(timer);
      s.close();
      resolve(v);
    };
    // a refused datagram simply gets no answer: waiting a moment is the only way to see "dropped"
    const timer = setTimeout(() => done(null), 1500);
    s.on('message', (m) => done(m.toString()));
    s.bind(0, localAddress, () => s.send(text, port, VIP));
  });
}

test('allowed_cidrs on HTTP: sources inside are served, others get no answer (closed)', async () => {
  expect(await served(ports.cidr, INSIDE)).toBe(true);
  expect(await served(ports.cidr, OUTSIDE)).toBe(false);
});

test('allowed_cidrs on TCP: sources inside are proxied, others are closed at once', async () => {
  expect(await served(ports.tcpcidr, INSIDE)).toBe(true);
  expect(await served(ports.tcpcidr, OUTSIDE)).toBe(false);
});

test('inserted headers arrive at the member', async () => {
  await request(VIP, ports.headers, { localAddress: INSIDE, headers: { 'x-forwarded-for': '203.0.113.9' } });
  const h = web.seen.at(-1)!.headers;
  expect(h['x-forwarded-for']).toBe(`203.0.113.9, ${INSIDE}`);
  expect(h['x-forwarded-port']).toBe(String(ports.headers));
  expect(h['x-forwarded-proto']).toBe('http');
});

test('PROXY pools behind a TCP listener send a v1 header naming the client', async () => {
  const r = await request(VIP, ports.v1, { localAddress: INSIDE });
  expect(r.body).toBe('proxied');
  expect(v1.headers.at(-1)).toMatch(new RegExp(`^PROXY TCP4 ${INSIDE.replace(/\./g, '\\.')} ${VIP.replace(/\./g, '\\.')} \\d+ ${ports.v1}$`));
});

test('a TCP listener proxies the byte stream', async () => {
  const r = await request(VIP, ports.tcp);
  expect([r.status, r.headers['x-member']]).toEqual([200, 'web']);
});

test('a UDP listener carries datagrams both ways; its allowed_cidrs drop other sources', async () => {
  expect(await udpAsk(ports.udp, 'ping')).toBe('echo:ping');
  expect(await udpAsk(ports.udpcidr, 'in', INSIDE)).toBe('echo:in');
  expect(await udpAsk(ports.udpcidr, 'out', OUTSIDE)).toBeNull();
});

test('connection_limit caps concurrent TCP connections; a freed slot serves again', async () => {
  const live = () => held.filter((x) => !x.destroyed).length;
  hold.on('connection', (x) => x.on('close', () => x.destroy()));
  const open = async () => {
    const x = net.connect(ports.limit, VIP);
    await new Promise((r, j) => x.once('connect', r).once('error', j));
    return x;
  };
  const a = await open();
  const b = await open();
  // both proxied to the member: nginx counts them
  await waitFor(() => live() === 2, 10000, 'two connections at the member');
  const c = await open();
  await waitFor(() => c.closed || c.readableEnded, 10000, 'the third connection to be closed');
  a.destroy();
  await waitFor(() => live() === 1, 10000, 'the first connection to end at the member');
  const d = await open();
  await waitFor(() => live() === 2, 10000, 'a new connection to reach the member');
  expect(d.closed).toBe(false);
  b.destroy();
  d.destroy();
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

test('nginx refuses PROXYV2, PROXY behind an HTTP listener and PROMETHEUS, naming the field', () => {
  const doc = valid(rawDoc(
    [rawListener('h', 80, 'p-v1'), rawListener('t', 81, 'p-v2', { protocol: 'TCP' }), rawListener('m', 82, null, { protocol: 'PROMETHEUS' })],
    [rawPool('p-v1', [], { protocol: 'PROXY' }), rawPool('p-v2', [], { protocol: 'PROXYV2' })],
  ));
  expect(checkCapabilities(doc, nginxCapabilities('1.22.1')).map((i) => i.path).sort()).toEqual([
    'loadbalancer.listeners[0].default_pool_id', 'loadbalancer.listeners[2].protocol', 'loadbalancer.pools[1].protocol',
  ]);
});
