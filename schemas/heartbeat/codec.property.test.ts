import fc from 'fast-check';
import { decodeHeartbeat, encodeHeartbeat, sealPayload } from './codec';
import { HeartbeatMessage, LISTENER_STATUSES, MEMBER_STATUSES, POOL_STATUSES } from './message';

const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/).filter((k) => k !== '__proto__');
const count = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const message: fc.Arbitrary<HeartbeatMessage> = fc.record({
  id,
  seq: count,
  ver: fc.constant(3),
  listeners: fc.dictionary(id, fc.record({ status: fc.constantFrom(...LISTENER_STATUSES), stats: fc.record({ tx: count, rx: count, conns: count, totconns: count, ereq: count }) }), { maxKeys: 5 }),
  pools: fc.dictionary(id, fc.record({ status: fc.constantFrom(...POOL_STATUSES), members: fc.dictionary(id, fc.constantFrom(...MEMBER_STATUSES), { maxKeys: 8 }) }), { maxKeys: 5 }),
});

describe('heartbeat codec, properties', () => {
  test('every valid message round-trips, with any key', () => {
    fc.assert(fc.property(message, fc.string(), (m, key) => {
      const d = decodeHeartbeat(encodeHeartbeat(m, key), key);
      expect(d).toEqual({ ok: true, message: m, legacyDigest: false });
    }), { numRuns: 300 });
  });

  test('random bytes, signed or not, are dropped with a reason and never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, signed) => {
      const dg = signed ? sealPayload(Buffer.from(bytes), 'k') : Buffer.from(bytes);
      const d = decodeHeartbeat(dg, 'k');
      expect(d.ok).toBe(false);
      if (!d.ok) expect(['truncated', 'too_large', 'bad_hmac', 'bad_zlib', 'bad_json', 'invalid', 'bad_version']).toContain(d.reason);
    }), { numRuns: 500 });
  });
});
