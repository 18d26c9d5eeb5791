/**
 * The heartbeat envelope, pure: `zlib(json, level 9)` followed by the 64 hex
 * characters of HMAC-SHA256(key, compressed). Decoding also accepts Octavia's
 * legacy trailer of 32 raw digest bytes, compares digests in constant time and
 * inflates with an output cap so a small datagram cannot expand without bound.
 */
import { timingSafeEqual } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { heartbeatMessageSchema, HeartbeatMessage } from './message';
import { digest } from './seal';
import { HEARTBEAT_VERSION, HEX_DIGEST_BYTES, RAW_DIGEST_BYTES } from './version';

export { compressMessage, encodeHeartbeat, sealPayload } from './seal';

/** Why a datagram was dropped; the receiver counts each. */
export type DropReason = 'truncated' | 'too_large' | 'bad_hmac' | 'bad_zlib' | 'bad_json' | 'invalid' | 'bad_version' | 'replay';

export type DecodeResult =
  | { ok: true; message: HeartbeatMessage; legacyDigest: boolean }
  | { ok: false; reason: DropReason; detail: string };

export interface DecodeOptions {
  /** largest inflated JSON accepted, bytes (default 4 MiB) */
  maxInflatedBytes?: number;
  /** message versions accepted (default: only the current one) */
  versions?: readonly number[];
}

export const DEFAULT_MAX_INFLATED_BYTES = 4 << 20;
/** Octavia's receive buffer; no well-formed datagram is longer. */
export const MAX_RECEIVED_BYTES = 64 * 1024;
// a zlib stream has a 2-byte header and a 4-byte trailer around at least one block
const MIN_ZLIB_BYTES = 8;

/** The payload whose trailer is a valid HMAC, trying the hex form first and then the legacy raw form. */
function authenticate(datagram: Buffer, key: string): { payload: Buffer; legacy: boolean } | null {
  if (datagram.length >= HEX_DIGEST_BYTES + MIN_ZLIB_BYTES) {
    const payload = datagram.subarray(0, datagram.length - HEX_DIGEST_BYTES);
    const expected = Buffer.from(digest(key, payload).toString('hex'), 'ascii');
    if (timingSafeEqual(expected, datagram.subarray(datagram.length - HEX_DIGEST_BYTES))) return { payload, legacy: false };
  }
  const payload = datagram.subarray(0, datagram.length - RAW_DIGEST_BYTES);
  if (timingSafeEqual(digest(key, payload), datagram.subarray(datagram.length - RAW_DIGEST_BYTES))) return { payload, legacy: true };
  return null;
}

/** Verifies, inflates (capped), parses and validates one datagram. Never throws. */
export function decodeHeartbeat(datagram: Buffer, key: string, opts: DecodeOptions = {}): DecodeResult {
  if (datagram.length > MAX_RECEIVED_BYTES) return { ok: false, reason: 'too_large', detail: `datagram of ${datagram.length} bytes` };
  if (datagram.length < RAW_DIGEST_BYTES + MIN_ZLIB_BYTES) return { ok: false, reason: 'truncated', detail: `datagram of ${datagram.length} bytes` };
  const auth = authenticate(datagram, key);
  if (!auth) return { ok: false, reason: 'bad_hmac', detail: 'no valid HMAC-SHA256 trailer for this key' };
  const max = opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  let json: Buffer;
  try {
    json = inflateSync(auth.payload, { maxOutputLength: max });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, reason: 'too_large', detail: `inflates to more than ${max} bytes` };
    return { ok: false, reason: 'bad_zlib', detail: (e as Error).message };
  }
  let obj: unknown;
  try {
    obj = JSON.parse(json.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: 'bad_json', detail: (e as Error).message };
  }
  const parsed = heartbeatMessageSchema.safeParse(obj);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: 'invalid', detail: `${first.path.join('.') || '(message)'}: ${first.message}` };
  }
  const versions = opts.versions ?? [HEARTBEAT_VERSION];
  if (!versions.includes(parsed.data.ver)) return { ok: false, reason: 'bad_version', detail: `ver ${parsed.data.ver}; accepted: ${versions.join(', ')}` };
  return { ok: true, message: parsed.data, legacyDigest: auth.legacy };
}
