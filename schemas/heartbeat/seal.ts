/**
 * The sending half of the heartbeat envelope: compress and sign. Kept apart
 * from the decoder so the agent, which only sends, never loads zod for it.
 */
import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { HeartbeatMessage } from './message';

/** HMAC-SHA256 of `payload` with `key`. */
export function digest(key: string, payload: Buffer): Buffer {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(payload).digest();
}

/** The compressed JSON of a message (what the HMAC covers). */
export function compressMessage(message: unknown): Buffer {
  return deflateSync(Buffer.from(JSON.stringify(message), 'utf8'), { level: 9 });
}

/** Appends the hex HMAC to an already compressed payload. */
export function sealPayload(payload: Buffer, key: string): Buffer {
  return Buffer.concat([payload, Buffer.from(digest(key, payload).toString('hex'), 'ascii')]);
}

/** One datagram for a message. Does not check its size: see `MAX_DATAGRAM_BYTES`. */
export function encodeHeartbeat(message: HeartbeatMessage, key: string): Buffer {
  return sealPayload(compressMessage(message), key);
}

