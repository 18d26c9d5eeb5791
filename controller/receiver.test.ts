import * as dgram from 'node:dgram';
import { compressMessage, encodeHeartbeat, HeartbeatMessage, sealPayload } from '../schemas/heartbeat';
import { bindReceiver, HeartbeatReceiver, ReceiveOutcome } from './receiver';

const KEY = 'controller-test-key';
const msg = (seq: number, id = 'amp-1', tx = 10): HeartbeatMessage => ({
  id,
  seq,
  ver: 3,
  listeners: { l1: { status: 'OPEN', stats: { tx, rx: 5, conns: 1, totconns: 2, ereq: 0 } } },
  pools: { 'p1:l1': { status: 'UP', members: { m1: 'UP' } } },
});

describe('heartbeat receiver', () => {
  let now = 1_000_000;
  const make = () => new HeartbeatReceiver({ key: KEY, timeoutSec: 60, now: () => now });

  test('keeps the latest state per amphora, sums deltas, marks stale after the timeout', () => {
    const r = make();
    expect(r.handle(encodeHeartbeat(msg(1), KEY), '127.30.0.9:1')).toMatchObject({ ok: true });
    now += 10_000;
    r.handle(encodeHeartbeat(msg(2, 'amp-1', 7), KEY), '127.30.0.9:1');
    r.handle(encodeHeartbeat(msg(1, 'amp-2'), KEY), '127.30.0.8:1');
    expect(r.amphorae().map((a) => [a.id, a.seq, a.received, a.stale])).toEqual([
      ['amp-1', 2, 2, false],
      ['amp-2', 1, 1, false],
    ]);
    expect(r.amphora('amp-1')!.totals.l1).toEqual({ tx: 17, rx: 10, totconns: 4, ereq: 0 });
    now += 60_001;
    expect(r.amphora('amp-1')).toMatchObject({ stale: true });
    expect(r.accepted).toBe(3);
    // each staleness is reported once, and again only after the amphora was heard anew
    expect(r.newlyStale().map((a) => a.id)).toEqual(['amp-1', 'amp-2']);
    expect(r.newlyStale()).toEqual([]);
    r.handle(encodeHeartbeat(msg(3), KEY), '127.30.0.9:1');
    expect(r.newlyStale()).toEqual([]);
    now += 60_001;
    expect(r.newlyStale().map((a) => a.id)).toEqual(['amp-1']);
  });

  test('every bad datagram is dropped and counted by reason, never thrown', () => {
    const r = make();
    const good = encodeHeartbeat(msg(5), KEY);
    const tampered = Buffer.from(good);
    tampered[3] ^= 0xff;
    const cases: [Buffer, string][] = [
      [encodeHeartbeat(msg(1), 'wrong'), 'bad_hmac'],
      [tampered, 'bad_hmac'],
      [good.subarray(0, 20), 'truncated'],
      [good.subarray(0, good.length - 1), 'bad_hmac'],
      [Buffer.alloc(66000, 1), 'too_large'],
      [Buffer.from('garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage'), 'bad_hmac'],
      [sealPayload(Buffer.from('x'.repeat(20)), KEY), 'bad_zlib'],
      [sealPayload(compressMessage('[1,2'), KEY), 'invalid'],
      [sealPayload(compressMessage({ id: 'a' }), KEY), 'invalid'],
      [sealPayload(compressMessage({ ...msg(9), ver: 1 }), KEY), 'bad_version'],
    ];
    for (const [dg, reason] of cases) expect(r.handle(dg, 'x')).toMatchObject({ ok: false, reason });
    expect(r.handle(good, 'x')).toMatchObject({ ok: true });
    expect(r.handle(good, 'x')).toMatchObject({ ok: false, reason: 'replay' });
    expect(r.handle(encodeHeartbeat(msg(4), KEY), 'x')).toMatchObject({ ok: false, reason: 'replay' });
    expect(r.drops).toEqual({ truncated: 1, too_large: 1, bad_hmac: 4, bad_zlib: 1, bad_json: 0, invalid: 2, bad_version: 1, replay: 2 });
    expect(r.amphora('amp-1')!.seq).toBe(5);
  });

  test('signed non-JSON is bad_json', () => {
    const r = make();
    const { deflateSync } = require('node:zlib');
    expect(r.handle(sealPayload(deflateSync(Buffer.from('{"id":')), KEY), 'x')).toMatchObject({ ok: false, reason: 'bad_json' });
  });

  test('binds UDP on loopback and receives real datagrams', async () => {
    const r = make();
    const seen: ReceiveOutcome[] = [];
    const b = await bindReceiver(r, '127.30.0.1', 0, (o) => seen.push(o));
    const c = dgram.createSocket('udp4');
    try {
      await new Promise((res) => c.send(encodeHeartbeat(msg(1), KEY), b.address.port, '127.30.0.1', res));
      await new Promise((res) => c.send(Buffer.from('junk junk junk junk junk junk junk junk junk'), b.address.port, '127.30.0.1', res));
      const deadline = Date.now() + 5000;
      while (seen.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
      expect(seen.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['ok', 'bad_hmac']);
      expect(r.amphora('amp-1')!.from).toMatch(/^127\.0\.0\.1:\d+$|^127\.30\./);
    } finally {
      c.close();
      await b.close();
    }
  });
});
