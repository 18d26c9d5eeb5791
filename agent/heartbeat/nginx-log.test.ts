import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NginxLogReceiver, parseLogDatagram } from './nginx-log';

const H = (msg: string) => `<190>Nov 28 21:35:39 amphora: ${msg}`;

test.each([
  [H('h 80 120 300 1 200'), { key: 'tcp/80', totals: { bin: 120, bout: 300, stot: 1, ereq: 0 } }],
  [H('h 80 120 300 2 200'), { key: 'tcp/80', totals: { bin: 120, bout: 300, stot: 0, ereq: 0 } }],
  [H('h 443 40 150 1 400'), { key: 'tcp/443', totals: { bin: 40, bout: 150, stot: 1, ereq: 1 } }],
  [H('h 80 0 0 1 408'), { key: 'tcp/80', totals: { bin: 0, bout: 0, stot: 1, ereq: 1 } }],
  [H('h 80 100 200 1 502'), { key: 'tcp/80', totals: { bin: 100, bout: 200, stot: 1, ereq: 0 } }],
  [H('h 80 100 0 1 444'), null],
  [H('s TCP 5432 900 1200 200'), { key: 'tcp/5432', totals: { bin: 900, bout: 1200, stot: 1, ereq: 0 } }],
  [H('s UDP 53 40 80 200'), { key: 'udp/53', totals: { bin: 40, bout: 80, stot: 1, ereq: 0 } }],
  [H('s TCP 5432 0 0 403'), null],
  [H('s TCP 5432 3 0 400'), { key: 'tcp/5432', totals: { bin: 3, bout: 0, stot: 1, ereq: 1 } }],
  ['<190>Nov 28 21:35:39 other: h 80 1 1 1 200', null],
  [H('h 80 1 1'), null],
])('parseLogDatagram(%p)', (text, want) => expect(parseLogDatagram(text)).toEqual(want));

test('totals add up per protocol and port; the identity and totals survive a new receiver on the same file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngx-log-'));
  try {
    const file = path.join(dir, 'totals.json');
    let now = 1_000_000;
    const a = new NginxLogReceiver(file, () => now);
    a.add(H('h 80 100 200 1 200'));
    a.add(H('h 80 100 200 2 200'));
    a.add(H('s UDP 80 5 6 200'));
    expect(a.totalsOf('tcp/80')).toEqual({ bin: 200, bout: 400, stot: 1, ereq: 0 });
    expect(a.totalsOf('udp/80')).toEqual({ bin: 5, bout: 6, stot: 1, ereq: 0 });
    expect(a.totalsOf('tcp/81')).toEqual({ bin: 0, bout: 0, stot: 0, ereq: 0 });
    await a.stop(0, 0);
    now += 5000;
    const b = new NginxLogReceiver(file, () => now);
    expect(b.current()).toEqual({ ...a.current(), uptimeSec: 5 });
    b.add(H('h 80 1 1 1 200'));
    expect(b.totalsOf('tcp/80')).toEqual({ bin: 201, bout: 401, stot: 2, ereq: 0 });
    // without a file (or with an unreadable one) a new identity: the heartbeat takes the totals as new
    fs.writeFileSync(file, '{');
    expect(new NginxLogReceiver(file, () => now).current().pid).not.toBe(a.current().pid);
    expect(new NginxLogReceiver(null).current().pid).toMatch(/^nginx-log-/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
