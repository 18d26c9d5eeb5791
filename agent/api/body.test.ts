import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { parseJsonObject, readBody } from './body';

const request = (headers: Record<string, string> = {}) => Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough;

describe('readBody', () => {
  it('refuses a declared Content-Length over the limit before reading a byte', async () => {
    const req = request({ 'content-length': '2000' });
    const spy = jest.fn();
    req.on('data', spy);
    await expect(readBody(req, 1000)).rejects.toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
    expect(spy).not.toHaveBeenCalled();
  });
  it('cuts a streamed body off at the limit', async () => {
    const req = request();
    const p = readBody(req, 10);
    req.write('123456');
    req.write('789012');
    await expect(p).rejects.toMatchObject({ status: 413 });
  });
  it('returns a body within the limit', async () => {
    const req = request({ 'content-length': '4' });
    const p = readBody(req, 10);
    req.end('{"a"');
    expect((await p).toString()).toBe('{"a"');
  });
});

describe('parseJsonObject', () => {
  it.each(['{', '[]', '"x"', '1', 'null'])('refuses %s with 400', (text) => {
    expect(() => parseJsonObject(Buffer.from(text))).toThrow(expect.objectContaining({ status: 400, code: 'MALFORMED_BODY' }));
  });
  it('accepts an object', () => {
    expect(parseJsonObject(Buffer.from('{"generation":1}'))).toEqual({ generation: 1 });
  });
});
