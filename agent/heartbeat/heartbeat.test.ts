import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeHeartbeat } from '../../schemas/heartbeat';
import { heartbeatPlan } from '../../test/lib/heartbeat-doc';
import { showInfo, showStat } from '../../test/lib/heartbeat-show-stat';
import { createLogger } from '../log';
import { AppliedConfig, EngineStats } from './collector';
import { createHeartbeat, Timers } from './heartbeat';
import { DatagramSocket } from './sender';

interface Sent {
  type: string;
  host: string;
  port: number;
  buf: Buffer;
}

function fakeSockets(fail = false) {
  const sent: Sent[] = [];
  let closed = 0;
  const factory = (type: 'udp4' | 'udp6'): DatagramSocket => ({
    send: (buf, port, host, cb) => {
      sent.push({ type, host, port, buf });
      cb(fail ? new Error('ENETUNREACH') : null);
    },
    close: () => void closed++,
    on: () => undefined,
  });
  return { sent, factory, closed: () => closed };
}

function fakeTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  const timers: Timers = { setTimeout: (fn, ms) => pending.push({ fn, ms }), clearTimeout: () => pending.splice(0) };
  return { pending, timers };
}

describe('heartbeat loop', () => {
  let dir: string;
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ debug: true, write: (l) => void logs.push(JSON.parse(l)) });
  let applied: AppliedConfig | null;
  let stats: EngineStats | null;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-loop-'));
    logs.length = 0;
    applied = { generation: 2, configHash: 'h', serves: heartbeatPlan([{ id: 'l1' }], { 'p1:l1': ['m1'] }) };
    stats = { showStat: showStat([{ name: 'l1', stot: 3 }], [{ name: 'p1:l1', servers: [{ name: 'm1', status: 'UP' }] }]), showInfo: showInfo(5, 9) };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const make = (sockets: ReturnType<typeof fakeSockets>, timers?: Timers) =>
    createHeartbeat({
      amphoraId: 'amp-9',
      heartbeatKey: 'key',
      intervalSec: 10,
      targets: [
        { host: '127.30.0.1', port: 5555 },
        { host: '::1', port: 5556 },
      ],
      getApplied: () => applied,
      readStats: async () => stats,
      countersFile: path.join(dir, 'counters.json'),
      logger,
      now: () => 42_000,
      socketFactory: sockets.factory,
      timers,
    });

  test('sends signed messages to the targets in turn, IPv4 and IPv6, seq growing', async () => {
    const s = fakeSockets();
    const hb = make(s);
    const r = [await hb.beat(), await hb.beat(), await hb.beat()];
    expect(r.map((x) => x.sent && x.target)).toEqual(['127.30.0.1:5555', '[::1]:5556', '127.30.0.1:5555']);
    expect(s.sent.map((x) => [x.type, x.host, x.port])).toEqual([
      ['udp4', '127.30.0.1', 5555],
      ['udp6', '::1', 5556],
      ['udp4', '127.30.0.1', 5555],
    ]);
    const msgs = s.sent.map((x) => decodeHeartbeat(x.buf, 'key'));
    expect(msgs.map((m) => m.ok && m.message.seq)).toEqual([42_001, 42_002, 42_003]);
    expect(msgs[0].ok && msgs[0].message.pools).toEqual({ 'p1:l1': { status: 'UP', members: { m1: 'UP' } } });
    expect(hb.status()).toMatchObject({ lastSeq: 42_003, lastResult: 'sent', lastError: null, targets: ['127.30.0.1:5555', '[::1]:5556'] });
    await hb.stop();
    expect(s.closed()).toBe(2);
  });

  test('nothing is sent without an applied config or a running engine; logged once', async () => {
    const s = fakeSockets();
    const hb = make(s);
    applied = null;
    expect(await hb.beat()).toEqual({ sent: false, reason: 'no_config' });
    expect(await hb.beat()).toEqual({ sent: false, reason: 'no_config' });
    applied = { generation: 1, configHash: 'h', serves: heartbeatPlan([], {}) };
    stats = null;
    expect(await hb.beat()).toEqual({ sent: false, reason: 'engine_down' });
    expect(s.sent).toHaveLength(0);
    expect(logs.filter((l) => l.msg === 'heartbeat not sent').map((l) => l.reason)).toEqual(['no_config', 'engine_down']);
  });

  test('a checkpoint sends nothing; the next beat carries its counts', async () => {
    const s = fakeSockets();
    const hb = make(s);
    await hb.beat();
    stats = { showStat: showStat([{ name: 'l1', stot: 8 }], []), showInfo: showInfo(5, 10) };
    const [c, b] = await Promise.all([hb.checkpoint(), hb.beat()]);
    expect(c).toBe(true);
    expect(b).toMatchObject({ sent: true });
    stats = { showStat: showStat([{ name: 'l1', stot: 2 }], []), showInfo: showInfo(6, 1) };
    await hb.checkpoint();
    await hb.checkpoint();
    stats = { showStat: showStat([{ name: 'l1', stot: 3 }], []), showInfo: showInfo(6, 2) };
    await hb.beat();
    const msgs = s.sent.map((x) => decodeHeartbeat(x.buf, 'key')).map((m) => (m.ok ? m.message.listeners.l1.stats.totconns : -1));
    expect(msgs).toEqual([3, 5, 3]);
  });

  test('a send error is reported in status, not thrown', async () => {
    const s = fakeSockets(true);
    const hb = make(s);
    expect(await hb.beat()).toMatchObject({ sent: false, reason: 'send_error' });
    expect(hb.status().lastError).toMatch(/ENETUNREACH/);
  });

  test('a failing stats read is an error result, not a crash', async () => {
    const s = fakeSockets();
    const hb = createHeartbeat({
      amphoraId: 'a', heartbeatKey: 'k', intervalSec: 1, targets: [{ host: '127.30.0.1', port: 1 }], getApplied: () => applied,
      readStats: async () => { throw new Error('socket timeout'); }, countersFile: path.join(dir, 'c.json'), logger, socketFactory: s.factory,
    });
    expect(await hb.beat()).toEqual({ sent: false, reason: 'error', detail: 'socket timeout' });
  });

  test('no target: nothing to do, said so', async () => {
    const hb = createHeartbeat({ amphoraId: 'a', heartbeatKey: 'k', intervalSec: 1, targets: [], getApplied: () => applied, readStats: async () => stats, countersFile: path.join(dir, 'c.json'), logger });
    expect(await hb.beat()).toMatchObject({ sent: false, reason: 'no_target' });
  });

  test('a heartbeat too large for one datagram is logged when trimming starts and when it ends, not at every beat', async () => {
    // ids as random as Octavia's UUIDs: they do not compress away
    const many = (n: number) => Array.from({ length: n }, (_x, i) => ({ name: createHash('sha256').update(String(i)).digest('hex'), status: 'UP' }));
    applied = { generation: 2, configHash: 'h', serves: heartbeatPlan([{ id: 'l1' }], { 'p1:l1': many(60).map((m) => m.name), 'p2:l1': many(2).map((m) => m.name) }) };
    const big = { showStat: showStat([{ name: 'l1', stot: 3 }], [{ name: 'p1:l1', servers: many(60) }, { name: 'p2:l1', servers: many(2) }]), showInfo: showInfo(5, 9) };
    const small = { showStat: showStat([{ name: 'l1', stot: 3 }], [{ name: 'p1:l1', servers: many(2) }]), showInfo: showInfo(5, 9) };
    const s = fakeSockets();
    const hb = createHeartbeat({
      amphoraId: 'amp-9', heartbeatKey: 'key', intervalSec: 10, targets: [{ host: '127.30.0.1', port: 5555 }], getApplied: () => applied,
      readStats: async () => stats, countersFile: path.join(dir, 'counters.json'), logger, now: () => 42_000, socketFactory: s.factory, maxDatagramBytes: 600,
    });
    stats = big;
    for (let i = 0; i < 3; i++) expect(await hb.beat()).toMatchObject({ sent: true, omitted: ['p1:l1'] });
    stats = small;
    for (let i = 0; i < 2; i++) expect(await hb.beat()).toMatchObject({ sent: true, omitted: [] });
    const trimLines = logs.filter((l) => /member detail|every member again/.test(String(l.msg))).map((l) => `${l.level} ${l.msg}`);
    expect(trimLines).toEqual(['warn heartbeat too large for one datagram: member detail left out', 'info heartbeats carry every member again']);
  });

  test('start beats at once, then every interval; stop cancels', async () => {
    const s = fakeSockets();
    const t = fakeTimers();
    const hb = make(s, t.timers);
    hb.start();
    expect(t.pending.map((p) => p.ms)).toEqual([0]);
    t.pending.shift()!.fn();
    // compression runs on the thread pool: wait (bounded) for the beat to finish
    for (let i = 0; i < 200 && t.pending.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(s.sent).toHaveLength(1);
    expect(t.pending.map((p) => p.ms)).toEqual([10_000]);
    await hb.stop();
    expect(t.pending).toHaveLength(0);
    expect(hb.status().running).toBe(false);
  });

  test('stop then start while a beat is in flight keeps a single timer chain', async () => {
    const s = fakeSockets();
    const t = fakeTimers();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const hb = createHeartbeat({
      amphoraId: 'a', heartbeatKey: 'k', intervalSec: 10, targets: [{ host: '127.30.0.1', port: 1 }], getApplied: () => applied,
      readStats: async () => (await gate, stats), countersFile: path.join(dir, 'c.json'), logger, socketFactory: s.factory, timers: t.timers,
    });
    hb.start();
    t.pending.shift()!.fn(); // the first beat now waits on the stats
    const stopping = hb.stop();
    hb.start();
    expect(t.pending).toHaveLength(1);
    release();
    await stopping;
    await new Promise((r) => setImmediate(r));
    expect(t.pending).toHaveLength(1); // the old chain did not reschedule
    await hb.stop();
  });
});
