import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readHaproxyStats } from './haproxy-stats';

describe('stats socket reader', () => {
  let dir: string;
  let server: net.Server | null = null;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-sock-'))));
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    server = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('one command per connection, answers collected until close', async () => {
    const sock = path.join(dir, 'haproxy.sock');
    const seen: string[] = [];
    server = net.createServer((c) => {
      c.once('data', (d) => {
        seen.push(d.toString());
        c.end(d.toString().startsWith('show stat') ? '# pxname,svname\nx,FRONTEND\n\n' : 'Pid: 3\n');
      });
    });
    await new Promise<void>((r) => server!.listen(sock, r));
    expect(await readHaproxyStats(sock)).toEqual({ showStat: '# pxname,svname\nx,FRONTEND\n\n', showInfo: 'Pid: 3\n' });
    expect(seen.sort()).toEqual(['show info\n', 'show stat\n']);
  });

  test('no socket: engine not running (null)', async () => {
    expect(await readHaproxyStats(path.join(dir, 'absent.sock'))).toBeNull();
  });

  test('a socket that never answers times out with an error', async () => {
    const sock = path.join(dir, 'mute.sock');
    // reads (so it sees the client give up) but never answers
    server = net.createServer((c) => c.resume().on('end', () => c.destroy()).on('error', () => undefined));
    await new Promise<void>((r) => server!.listen(sock, r));
    await expect(readHaproxyStats(sock, 100)).rejects.toThrow(/no answer/);
  });
});
