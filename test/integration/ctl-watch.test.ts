/**
 * `amphora-ctl watch` (formerly `receive`) in JSON-lines and table modes, IPv4
 * and IPv6, and its --state-file, fed by the agent's real heartbeat loop over
 * UDP (stats faked, no haproxy). Loopback block 127.70.2.0/24 (and ::1 with port 0).
 */
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHeartbeat } from '../../agent/heartbeat';
import { nullLogger } from '../../agent/log';
import { runCtl } from '../../controller/cli';
import { encodeHeartbeat } from '../../schemas/heartbeat';
import { watchStateSource } from '../../controller/heartbeat-source';
import { heartbeatPlan } from '../lib/heartbeat-doc';
import { until } from '../lib/heartbeat-haproxy';
import { showInfo, showStat } from '../lib/heartbeat-show-stat';

jest.setTimeout(30_000);
const KEY = 'cli-key';
const ROOT = path.resolve(__dirname, '../..');

function agent(dir: string, host: string, port: number) {
  return createHeartbeat({
    amphoraId: 'amp-cli',
    heartbeatKey: KEY,
    intervalSec: 10,
    targets: [{ host, port }],
    getApplied: () => ({ generation: 3, configHash: 'h', serves: heartbeatPlan([{ id: 'l1' }], { 'p1:l1': ['m1', 'm2'] }) }),
    readStats: async () => ({ showStat: showStat([{ name: 'l1', stot: 4, bin: 10, bout: 20 }], [{ name: 'p1:l1', servers: [{ name: 'm1', status: 'UP' }, { name: 'm2', status: 'DOWN' }] }]), showInfo: showInfo(1, 1) }),
    countersFile: path.join(dir, `c-${port}.json`),
    logger: nullLogger(),
  });
}

function sendRaw(host: string, port: number, buf: Buffer): Promise<void> {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((r) => s.send(buf, port, host, () => (s.close(), r())));
}

describe('controller CLI', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-cli-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keyFile = () => {
    const f = path.join(dir, 'key');
    fs.writeFileSync(f, `${KEY}\n`);
    return f;
  };

  async function run(argv: string[], tty = false) {
    let out = '';
    let err = '';
    let stop!: () => void;
    let addr!: { address: string; port: number };
    const stopped = new Promise<void>((r) => (stop = r));
    const done = runCtl(argv, {
      stdout: { write: (s: string) => (out += s), isTTY: tty },
      stderr: { write: (s: string) => (err += s) },
      stopped,
      env: {},
      onListening: (a) => (addr = a),
    });
    await until('listening', () => addr || null, 5000, 5);
    return { addr, out: () => out, err: () => err, stop: async () => (stop(), done) };
  }

  test.each([
    ['127.70.2.1', '127.70.2.1:0'],
    ['::1', '[::1]:0'],
  ])('--json on %s: one line per datagram, accepted or dropped', async (host, bind) => {
    const cli = await run(['watch', '--bind', bind, '--key', KEY, '--json']);
    const hb = agent(dir, host, cli.addr.port);
    try {
      expect(await hb.beat()).toMatchObject({ sent: true });
      await sendRaw(host, cli.addr.port, Buffer.from('definitely not a heartbeat, just junk bytes'));
      await until('two lines', () => cli.out().split('\n').filter(Boolean).length >= 2, 5000, 5);
    } finally {
      await hb.stop();
      expect(await cli.stop()).toBe(0);
    }
    const lines = cli.out().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ event: 'heartbeat', message: { id: 'amp-cli', ver: 3, listeners: { l1: { status: 'OPEN', stats: { totconns: 4, rx: 10, tx: 20 } } }, pools: { 'p1:l1': { status: 'UP', members: { m1: 'UP', m2: 'DOWN' } } } } });
    expect(lines[1]).toMatchObject({ event: 'drop', reason: 'bad_hmac' });
    expect(cli.err()).toMatch(/listening on/);
  });

  test('--json says once when an amphora goes stale', async () => {
    const cli = await run(['watch', '--bind', '127.70.2.4:0', '--key', KEY, '--json', '--timeout', '0.2']);
    const hb = agent(dir, '127.70.2.4', cli.addr.port);
    try {
      await hb.beat();
      await until('a stale line', () => cli.out().includes('"event":"stale"'), 10_000);
    } finally {
      await hb.stop();
      await cli.stop();
    }
    const events = cli.out().trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['heartbeat', 'stale']);
    expect(events[1]).toMatchObject({ id: 'amp-cli' });
  });

  test('table mode prints amphorae, listeners, pools, members and drops', async () => {
    const cli = await run(['watch', '--bind', '127.70.2.2:0', '--key', KEY]);
    const hb = agent(dir, '127.70.2.2', cli.addr.port);
    try {
      await hb.beat();
      await sendRaw('127.70.2.2', cli.addr.port, encodeHeartbeat({ id: 'x', seq: 1, ver: 3, listeners: {}, pools: {} }, 'wrong'));
      await until('a table with the drop', () => /bad_hmac=1/.test(cli.out()), 10_000);
    } finally {
      await hb.stop();
      await cli.stop();
    }
    const t = cli.out();
    expect(t).toMatch(/amp-cli\s+alive/);
    expect(t).toMatch(/ l1\s+OPEN/);
    expect(t).toMatch(/ p1:l1\s+UP/);
    expect(t).toMatch(/ m2\s+DOWN/);
  });

  test('bad arguments exit 2 with the reason; --help exits 0', async () => {
    let err = '';
    const io = (o: (s: string) => unknown, e: (s: string) => unknown) => ({ stdout: { write: o }, stderr: { write: e }, stopped: Promise.resolve(), env: {} });
    expect(await runCtl(['watch', '--key', 'k'], io(() => 0, (s) => (err += s)))).toBe(2);
    expect(err).toMatch(/required option '--bind <host:port>' not specified/);
    err = '';
    expect(await runCtl(['watch', '--bind', 'localhost:1', '--key', 'k'], io(() => 0, (s) => (err += s)))).toBe(2);
    expect(err).toMatch(/not IP:PORT/);
    err = '';
    expect(await runCtl(['watch', '--bind', '127.70.2.9:0'], io(() => 0, (s) => (err += s)))).toBe(2);
    expect(err).toMatch(/heartbeat key is needed/);
    let out = '';
    expect(await runCtl(['watch', '--help'], io((s) => (out += s), () => 0))).toBe(0);
    expect(out).toMatch(/^Usage: amphora-ctl watch \[options\]/);
    expect(out).toContain('--state-file');
  });

  test('--state-file keeps the latest heartbeat per amphora for migrate', async () => {
    const file = path.join(dir, 'watch-state.json');
    const cli = await run(['watch', '--bind', '127.70.2.5:0', '--key-file', keyFile(), '--json', '--state-file', file]);
    const hb = agent(dir, '127.70.2.5', cli.addr.port);
    try {
      await hb.beat();
      const src = watchStateSource(file, 5000);
      const heard = await until('the amphora in the state file', () => src.latest('amp-cli'), 10_000);
      expect(heard.message).toMatchObject({ id: 'amp-cli', generation: 3, config_hash: 'h', pools: { 'p1:l1': { members: { m2: 'DOWN' } } } });
      expect(src.latest('someone-else')).toBeUndefined();
      expect(() => watchStateSource(file, 5000, () => Date.now() + 60_000).latest('amp-cli')).toThrow(/last written \d+ s ago/);
    } finally {
      await hb.stop();
      await cli.stop();
    }
  });

  test('the built CLI (bin/amphora-ctl) receives and stops on SIGTERM', async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist/controller/cli.js'))) throw new Error('dist/controller/cli.js is missing: run npm run build first');
    const child = spawn(path.join(ROOT, 'bin/amphora-ctl'), ['watch', '--bind', '127.70.2.3:0', '--key', KEY, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    try {
      const port = Number((await until('listening', () => /listening on 127\.70\.2\.3:(\d+)/.exec(err), 10_000))[1]);
      const hb = agent(dir, '127.70.2.3', port);
      await hb.beat();
      await hb.stop();
      await until('a heartbeat line', () => out.includes('"event":"heartbeat"'), 10_000);
      child.kill('SIGTERM');
      const code = await new Promise((r) => child.once('exit', r));
      expect(code).toBe(0);
      expect(JSON.parse(out.trim().split('\n')[0])).toMatchObject({ event: 'heartbeat', message: { id: 'amp-cli' } });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
