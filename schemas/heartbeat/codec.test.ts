import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { compressMessage, decodeHeartbeat, encodeHeartbeat, sealPayload } from './codec';
import { HeartbeatMessage } from './message';
import { HEARTBEAT_VERSION } from './version';

const KEY = 'insecure-test-key';
const msg: HeartbeatMessage = {
  id: 'amp-1',
  seq: 7,
  ver: HEARTBEAT_VERSION,
  listeners: { 'lis-1': { status: 'OPEN', stats: { tx: 10, rx: 20, conns: 1, totconns: 3, ereq: 0 } } },
  pools: { 'pool-1:lis-1': { status: 'UP', members: { 'mem-1': 'UP', 'mem-2': 'no check', 'mem-3': 'DRAIN' } } },
  generation: 4,
  config_hash: 'abc',
};

describe('heartbeat codec', () => {
  test('round trip gives back the same message', () => {
    const d = decodeHeartbeat(encodeHeartbeat(msg, KEY), KEY);
    expect(d).toEqual({ ok: true, message: msg, legacyDigest: false });
  });

  test('the trailer is 64 lowercase hex characters of HMAC-SHA256 over the zlib payload', () => {
    const dg = encodeHeartbeat(msg, KEY);
    const payload = dg.subarray(0, dg.length - 64);
    expect(dg.subarray(dg.length - 64).toString('ascii')).toBe(createHmac('sha256', KEY).update(payload).digest('hex'));
    expect(payload[0]).toBe(0x78); // zlib header, as Python's zlib.decompress expects
    expect(payload[1]).toBe(0xda); // level 9
  });

  test('a wrong key is refused as bad_hmac', () => {
    const d = decodeHeartbeat(encodeHeartbeat(msg, KEY), 'other-key');
    expect(d).toMatchObject({ ok: false, reason: 'bad_hmac' });
  });

  test('the legacy raw 32-byte digest is accepted', () => {
    const payload = compressMessage(msg);
    const dg = Buffer.concat([payload, createHmac('sha256', KEY).update(payload).digest()]);
    expect(decodeHeartbeat(dg, KEY)).toEqual({ ok: true, message: msg, legacyDigest: true });
  });

  test('a flipped byte anywhere is bad_hmac', () => {
    const dg = encodeHeartbeat(msg, KEY);
    for (const at of [0, 5, dg.length - 65, dg.length - 1]) {
      const t = Buffer.from(dg);
      t[at] ^= 1;
      expect(decodeHeartbeat(t, KEY)).toMatchObject({ ok: false, reason: 'bad_hmac' });
    }
  });

  test('short datagrams are truncated, cut ones bad_hmac', () => {
    const dg = encodeHeartbeat(msg, KEY);
    expect(decodeHeartbeat(Buffer.alloc(0), KEY)).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodeHeartbeat(dg.subarray(0, 30), KEY)).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodeHeartbeat(dg.subarray(0, dg.length - 3), KEY)).toMatchObject({ ok: false, reason: 'bad_hmac' });
  });

  test('a signed zip bomb is too_large, never inflated whole', () => {
    const bomb = sealPayload(deflateSync(Buffer.alloc(16 << 20, 0x20), { level: 9 }), KEY);
    expect(bomb.length).toBeLessThan(65507);
    expect(decodeHeartbeat(bomb, KEY)).toMatchObject({ ok: false, reason: 'too_large' });
  });

  test('an oversized datagram is too_large', () => {
    expect(decodeHeartbeat(Buffer.alloc(70000), KEY)).toMatchObject({ ok: false, reason: 'too_large' });
  });

  test('signed garbage is bad_zlib, signed non-JSON bad_json, signed wrong shape invalid, other ver bad_version', () => {
    expect(decodeHeartbeat(sealPayload(Buffer.from('not zlib at all, really'), KEY), KEY)).toMatchObject({ ok: false, reason: 'bad_zlib' });
    expect(decodeHeartbeat(sealPayload(deflateSync(Buffer.from('{nope')), KEY), KEY)).toMatchObject({ ok: false, reason: 'bad_json' });
    const bad = { ...msg, listeners: { x: { status: 'WEIRD', stats: {} } } };
    expect(decodeHeartbeat(sealPayload(compressMessage(bad), KEY), KEY)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(decodeHeartbeat(sealPayload(compressMessage({ ...msg, ver: 2 }), KEY), KEY)).toMatchObject({ ok: false, reason: 'bad_version' });
    expect(decodeHeartbeat(sealPayload(compressMessage({ ...msg, ver: 2 }), KEY), KEY, { versions: [2, 3] })).toMatchObject({ ok: true });
  });

  test('keys outside the id alphabet are invalid; a "__proto__" key is dropped, never a prototype', () => {
    const proto = sealPayload(deflateSync(Buffer.from('{"id":"a","seq":1,"ver":3,"listeners":{},"pools":{"__proto__":{"status":"UP","members":{}}}}')), KEY);
    const d = decodeHeartbeat(proto, KEY);
    if (!d.ok) throw new Error(d.detail);
    expect(Object.keys(d.message.pools)).toEqual([]);
    expect(Object.getPrototypeOf(d.message.pools)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).status).toBeUndefined();
    const spaced = { ...msg, pools: { 'p 1': { status: 'UP', members: {} } } };
    expect(decodeHeartbeat(sealPayload(compressMessage(spaced), KEY), KEY)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  test('negative or fractional counters are invalid', () => {
    for (const tx of [-1, 1.5]) {
      const bad = { ...msg, listeners: { 'lis-1': { status: 'OPEN', stats: { ...msg.listeners['lis-1'].stats, tx } } } };
      expect(decodeHeartbeat(sealPayload(compressMessage(bad), KEY), KEY)).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });
});
