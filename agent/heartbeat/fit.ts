/**
 * Makes a message fit one datagram. Octavia's controller reads one message per
 * datagram as the whole state of the amphora, so splitting is not an option.
 * Instead, the per-member detail of the largest pools is left out (the pool
 * keeps its status, and `members_omitted` names it) until the datagram fits;
 * listeners, which the controller counts to judge the amphora healthy, are
 * always kept. If even that does not fit, nothing is sent.
 */
import type { HeartbeatMessage } from '../../schemas/heartbeat/message';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { sealPayload } from '../../schemas/heartbeat/seal';
import { HEX_DIGEST_BYTES, MAX_DATAGRAM_BYTES } from '../../schemas/heartbeat/version';

export type FitResult =
  | { ok: true; datagram: Buffer; message: HeartbeatMessage; omitted: string[] }
  | { ok: false; bytes: number; message: string };

const deflateAsync = promisify(deflate);

/** The same bytes as the envelope's `compressMessage`, compressed on libuv's thread pool so a large message does not block the API. */
const compressMessage = (message: unknown): Promise<Buffer> => deflateAsync(Buffer.from(JSON.stringify(message), 'utf8'), { level: 9 });

/** The signed datagram of `message`, trimmed if needed to at most `max` bytes. */
export async function fitDatagram(message: HeartbeatMessage, key: string, max = MAX_DATAGRAM_BYTES): Promise<FitResult> {
  let payload = await compressMessage(message);
  if (payload.length + HEX_DIGEST_BYTES <= max) return { ok: true, datagram: sealPayload(payload, key), message, omitted: [] };

  const bySize = Object.entries(message.pools)
    .map(([k, p]) => [k, Object.keys(p.members).length] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const totalMembers = bySize.reduce((s, [, n]) => s + n, 0);
  const pools = { ...message.pools };
  const omitted: string[] = [];
  let trimmed: HeartbeatMessage = message;
  let next = 0;
  while (payload.length + HEX_DIGEST_BYTES > max && next < bySize.length) {
    // compressing is the costly step: estimate how many members must go from the
    // average compressed bytes per member, drop whole pools up to that, re-measure
    const excess = payload.length + HEX_DIGEST_BYTES - max;
    const perMember = Math.max(1, payload.length / Math.max(1, totalMembers));
    let toDrop = Math.ceil(excess / perMember);
    do {
      const [k, n] = bySize[next++];
      pools[k] = { status: pools[k].status, members: {} };
      omitted.push(k);
      toDrop -= n;
    } while (toDrop > 0 && next < bySize.length);
    trimmed = { ...message, pools, members_omitted: [...omitted] };
    payload = await compressMessage(trimmed);
  }
  const size = payload.length + HEX_DIGEST_BYTES;
  if (size > max) return { ok: false, bytes: size, message: `the heartbeat is ${size} bytes even without member detail, over ${max}` };
  return { ok: true, datagram: sealPayload(payload, key), message: trimmed, omitted };
}
