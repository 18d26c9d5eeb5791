/**
 * Reads a JSON body with a hard cap: a declared Content-Length over the limit
 * is refused before a byte is read, a streamed body is cut off at the limit.
 */
import type { IncomingMessage } from 'node:http';
import { BodyTooLarge, MalformedBody } from '../errors';

/** Reads the whole body (at most `limit` bytes) as a buffer. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(new BodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null, buf?: Buffer) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (err) reject(err);
      else resolve(buf as Buffer);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        // stop buffering; the handler answers 413 and closes the connection
        req.pause();
        finish(new BodyTooLarge(limit));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => finish(null, Buffer.concat(chunks)));
    req.on('error', (e) => finish(new MalformedBody(`the request body could not be read: ${e.message}`, { cause: e })));
    req.on('aborted', () => finish(new MalformedBody('the client aborted the request')));
  });
}

/** The parsed document: bytes are parsed (MalformedBody when not a JSON object), anything else is taken as parsed. */
export function parsedInput(input: unknown): unknown {
  return input instanceof Uint8Array ? parseJsonObject(Buffer.from(input.buffer, input.byteOffset, input.byteLength)) : input;
}

/** Parses a body that must be one JSON object. */
export function parseJsonObject(buf: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new MalformedBody(`the request body is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new MalformedBody('the request body must be a JSON object');
  return v as Record<string, unknown>;
}
