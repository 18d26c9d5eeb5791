/**
 * The heartbeat end to end: real haproxy (config from the haproxy renderer)
 * with node http members, the agent's collector and sender on real UDP, the
 * controller's receiver on loopback. Loopback block 127.30.1.0/24.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHeartbeat, Heartbeat, readHaproxyStats } from '../../agent/heartbeat';
import { parseShowStat } from '../../agent/engines/haproxy-csv';
import { nullLogger } from '../../agent/log';
import { bindReceiver, BoundReceiver, HeartbeatReceiver } from '../../controller/receiver';
import type { Document } from '../../schemas';
import { exactRequest, freePort, loopbackDoc, planOf, RunningHaproxy, startBackend, startHaproxy, stopBackend, until } from '../lib/heartbeat-haproxy';

const VIP = '127.30.1.1';
const MEMBER_HOSTS = ['127.30.1.2', '127.30.1.3'];
const KEY = 'integration-heartbeat-key';
const AMP = 'amp-int-1';

jest.setTimeout(60_000);

describe('heartbeat with real haproxy', () => {
  let dir: string;
  let backends: http.Server[] = [];
  let haproxy: RunningHaproxy | null = null;
  let bound: BoundReceiver | null = null;
  let hb: Heartbeat | null = null;
  let doc: Document;
  let vipPort: number;
  let listenerId: string;
  let poolKey: string;
  let memberIds: string[];
  const receiver = new HeartbeatReceiver({ key: KEY, timeoutSec: 60 });

  const newHeartbeat = (intervalSec = 10) =>
    createHeartbeat({
      amphoraId: AMP,
      heartbeatKey: KEY,
      intervalSec,
      targets: [{ host: '127.30.1.10', port: bound!.address.port }],
      getApplied: () => ({ generation: doc.generation, configHash: 'hash-1', serves: planOf(doc) }),
      readStats: () => readHaproxyStats(haproxy!.socket),
      countersFile: path.join(dir, 'heartbeat-counters.json'),
      logger: nullLogger(),
    });

  /** Beats until the receiver's state satisfies `ok` (each beat is one real datagram). */
  async function beatUntil(what: string, ok: () => boolean) {
    await until(what, async () => {
      const before = receiver.accepted;
      const r = await hb!.beat();
      if (!r.sent) throw new Error(`beat not sent: ${JSON.stringify(r)}`);
      await until('the datagram', () => receiver.accepted > before, 5000, 5);
      return ok();
    }, 30_000, 200);
  }
  const state = () => receiver.amphora(AMP)!;
  const totals = () => state().totals[listenerId];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-haproxy-'));
    backends = await Promise.all(MEMBER_HOSTS.map((h, i) => startBackend(h, `hello from member ${i}\n`)));
    vipPort = await freePort(VIP);
    doc = loopbackDoc(VIP, vipPort, backends.map((b, i) => ({ address: MEMBER_HOSTS[i], port: (b.address() as net.AddressInfo).port })), 3);
    listenerId = doc.loadbalancer.listeners[0].listener_id;
    const pool = doc.loadbalancer.pools[0];
    poolKey = `${pool.pool_id}:${listenerId}`;
    memberIds = pool.members.map((m) => m.member_id);
    haproxy = await startHaproxy(doc, dir);
    bound = await bindReceiver(receiver, '127.30.1.10', 0);
    hb = newHeartbeat();
  });

  afterAll(async () => {
    await hb?.stop();
    await bound?.close();
    await haproxy?.stop();
    await Promise.all(backends.map((b) => (b.listening ? stopBackend(b) : null)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the first heartbeat reports the listener OPEN, the pool and both members UP', async () => {
    await beatUntil('both members UP', () => Object.values(state().message.pools[poolKey]?.members ?? {}).filter((s) => s === 'UP').length === 2);
    const m = state().message;
    expect(Object.keys(m.listeners)).toEqual([listenerId]);
    expect(m.listeners[listenerId].status).toBe('OPEN');
    expect(m.pools[poolKey]).toEqual({ status: 'UP', members: { [memberIds[0]]: 'UP', [memberIds[1]]: 'UP' } });
    expect(m).toMatchObject({ id: AMP, ver: 3, generation: doc.generation, config_hash: 'hash-1' });
  });

  /** haproxy's own absolute frontend counters (what the deltas must add up to within one process). */
  async function haproxyCounters() {
    const st = await readHaproxyStats(haproxy!.socket);
    const fe = parseShowStat(st!.showStat).find((r) => r.pxname === listenerId && r.svname === 'FRONTEND')!;
    return { totconns: Number(fe.stot), rx: Number(fe.bin), tx: Number(fe.bout), ereq: Number(fe.ereq) };
  }
  const plus = (a: Record<string, number>, b: Record<string, number>, k = 1) => Object.fromEntries(Object.keys(a).map((x) => [x, a[x] + k * b[x]]));
  const minus = (a: Record<string, number>, b: Record<string, number>) => plus(a, b, -1);
  let perRequest: Record<string, number>;

  test('one request, then N: totconns rises by N and rx/tx by N times one request, as haproxy counts them', async () => {
    await beatUntil('a quiet baseline', () => true);
    const t0 = { ...totals() };
    const one = await exactRequest(VIP, vipPort);
    expect(one.text).toMatch(/^HTTP\/1\.[01] 200/);
    await beatUntil('one connection', () => totals().totconns === t0.totconns + 1);
    perRequest = minus({ ...totals() }, t0);
    expect(perRequest.totconns).toBe(1);
    // haproxy counts HTTP bytes as it forwards them (headers normalized), not raw wire bytes: close, not equal
    expect(perRequest.rx).toBeGreaterThan(one.sent / 2);
    expect(perRequest.rx).toBeLessThan(one.sent * 2);
    expect(perRequest.tx).toBeGreaterThan(one.received / 2);
    expect(perRequest.tx).toBeLessThan(one.received * 2);
    const t1 = { ...totals() };
    const N = 25;
    for (let i = 0; i < N; i++) await exactRequest(VIP, vipPort);
    await beatUntil('N more connections', () => totals().totconns >= t1.totconns + N);
    // more beats with no traffic: nothing is counted twice
    await hb!.beat();
    await hb!.beat();
    await until('the last datagrams', () => state().seq >= (hb!.status().lastSeq ?? 0));
    expect(totals()).toEqual(plus(t1, perRequest, N));
    // and the sum of every delta ever sent is haproxy's own absolute counter (one process so far)
    expect(totals()).toEqual(await haproxyCounters());
  });

  test('an agent restart and a haproxy reload neither lose nor double-count traffic', async () => {
    const base = { ...totals() };
    const seqBefore = state().seq;
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) await exactRequest(VIP, vipPort);
    };
    await burst(5);
    // the agent restarts: a new heartbeat object over the same counters file
    await hb!.stop();
    hb = newHeartbeat();
    await beatUntil('5 connections after the agent restart', () => totals().totconns >= base.totconns + 5);
    expect(totals()).toEqual(plus(base, perRequest, 5));
    expect(state().seq).toBeGreaterThan(seqBefore);
    expect(receiver.drops.replay).toBe(0);
    // 3 more requests, then haproxy reloads: a new process whose counters start at
    // zero; the checkpoint just before it (what the apply step does) keeps those 3
    await burst(3);
    expect(await hb!.checkpoint()).toBe(true);
    const oldPid = haproxy!.pid();
    await haproxy!.reload();
    expect(haproxy!.pid()).not.toBe(oldPid);
    expect((await haproxyCounters()).totconns).toBe(0);
    await burst(7);
    await beatUntil('10 more connections after the reload', () => totals().totconns >= base.totconns + 15);
    await hb!.beat();
    await until('the last datagram', () => state().seq >= (hb!.status().lastSeq ?? 0));
    expect(totals()).toEqual(plus(base, perRequest, 15));
    expect(receiver.drops.replay).toBe(0);
  });

  test('a listener at its connection limit is FULL, then OPEN again', async () => {
    // connection_limit 3: hold three idle client connections
    const held = await Promise.all([0, 1, 2].map(() => new Promise<net.Socket>((r) => { const s = net.connect(vipPort, VIP, () => r(s)); })));
    try {
      await beatUntil('FULL', () => state().message.listeners[listenerId].status === 'FULL');
      expect(state().message.listeners[listenerId].stats.conns).toBe(3);
    } finally {
      for (const s of held) s.destroy();
    }
    await beatUntil('OPEN again', () => state().message.listeners[listenerId].status === 'OPEN');
  });

  test('started, the loop sends on its own every interval', async () => {
    await hb!.stop();
    hb = newHeartbeat(0.1);
    const before = receiver.accepted;
    hb.start();
    await until('three timed heartbeats', () => receiver.accepted >= before + 3);
    await hb.stop();
    expect(hb.status()).toMatchObject({ running: false, lastResult: 'sent', lastError: null });
  });

  test('a stopped member goes DOWN, the pool stays UP; both stopped: the pool is DOWN', async () => {
    await stopBackend(backends[1]);
    await beatUntil('member 2 DOWN', () => state().message.pools[poolKey].members[memberIds[1]] === 'DOWN');
    expect(state().message.pools[poolKey]).toEqual({ status: 'UP', members: { [memberIds[0]]: 'UP', [memberIds[1]]: 'DOWN' } });
    await stopBackend(backends[0]);
    await beatUntil('pool DOWN', () => state().message.pools[poolKey].status === 'DOWN');
    expect(state().message.pools[poolKey].members).toEqual({ [memberIds[0]]: 'DOWN', [memberIds[1]]: 'DOWN' });
  });

  test('haproxy stopped: no heartbeat is sent', async () => {
    await haproxy!.stop();
    await until('the stats socket to go', async () => (await readHaproxyStats(haproxy!.socket).catch(() => null)) === null);
    expect(await hb!.beat()).toEqual({ sent: false, reason: 'engine_down' });
    expect(receiver.drops).toMatchObject({ bad_hmac: 0, invalid: 0, replay: 0 });
  });
});
