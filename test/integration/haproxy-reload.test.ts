/**
 * `hard-stop-after`: after a reload, the old worker's long-lived TCP
 * connection is cut once `hardStopAfterSec` has passed, so old workers cannot
 * pile up; without the bound it would live until `timeout client` (50 s).
 * haproxy in master-worker mode (`-W`), reloaded with SIGUSR2. Block 127.10.12.0/24.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { renderHaproxy } from '../../renderers';
import { checkConfig, freePort, HAPROXY, statsCommand, tempDir, waitFor, writeRendered } from '../lib/haproxy-harness';
import { RENDER_CTX, rawDoc, rawListener, rawMember, rawPool, valid } from '../lib/render-fixtures';

const VIP = '127.10.12.1';
const dir = tempDir('amphora-reload');
let echo: net.Server;
let proc: ChildProcess | null = null;
const sockets: net.Socket[] = [];

afterAll(async () => {
  for (const s of sockets) s.destroy();
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const gone = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await gone;
  }
  await new Promise((r) => echo?.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a TCP connection held by the old worker is closed by hard-stop-after', async () => {
  echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.10.12.10', r));
  const port = await freePort(VIP);
  const raw = rawDoc(
    [rawListener('l1', port, 'p1', { protocol: 'TCP' })],
    [rawPool('p1', [rawMember('m1', '127.10.12.10', (echo.address() as net.AddressInfo).port)], { protocol: 'TCP' })],
    { vip_address: VIP },
  );
  const runDir = path.join(dir, 'run');
  fs.mkdirSync(runDir);
  const conf = path.join(dir, 'conf');
  const out = renderHaproxy(valid(raw), { ...RENDER_CTX, runDir, hardStopAfterSec: 1 });
  expect(out.files['haproxy.cfg']).toContain('hard-stop-after 1s');
  writeRendered(conf, out);
  expect(checkConfig(conf).ok).toBe(true);
  proc = spawn(HAPROXY, ['-W', '-db', '-C', conf, '-f', path.join(conf, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += d.toString()));
  const sock = path.join(runDir, 'haproxy.sock');
  const workerPid = async () => {
    if (proc!.exitCode !== null) throw new Error(`haproxy exited ${proc!.exitCode}: ${stderr}`);
    return fs.existsSync(sock) ? /^Pid: (\d+)$/m.exec(await statsCommand(sock, 'show info'))?.[1] : undefined;
  };
  const first = await waitFor(workerPid, 10000, 'haproxy to start');

  // a long-lived connection through the first worker, echoing
  const c = net.connect(port, VIP);
  sockets.push(c);
  let echoed = '';
  c.on('data', (d) => (echoed += d.toString()));
  const closed = new Promise<void>((r) => c.once('close', () => r()));
  c.write('ping');
  await waitFor(() => echoed === 'ping', 5000, 'the echo');

  proc.kill('SIGUSR2'); // reload: a new worker takes the listeners, the old one soft-stops
  await waitFor(async () => {
    const pid = await workerPid().catch(() => undefined);
    return pid && pid !== first;
  }, 10000, 'a new worker');
  // the old worker still holds the connection, until hard-stop-after cuts it (50 s timeouts otherwise)
  let done = false;
  void closed.then(() => (done = true));
  expect(await waitFor(() => done, 15000, 'the old connection to be closed')).toBe(true);
  expect(await waitFor(() => { try { process.kill(Number(first), 0); return false; } catch { return true; } }, 10000, 'the old worker to exit')).toBe(true);
  // the new worker serves
  const d = net.connect(port, VIP);
  sockets.push(d);
  let again = '';
  d.on('data', (x) => (again += x.toString()));
  d.write('pong');
  await waitFor(() => again === 'pong', 5000, 'the echo through the new worker');
}, 45000);
