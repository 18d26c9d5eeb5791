/**
 * Addresses the machine does not hold must not break an apply: every bind is
 * `transparent`, so haproxy starts with non-local additional VIPs and a
 * non-local VRRP (peers) address, serves the local ones, and serves a VIP
 * added after it started (a BACKUP amphora becoming MASTER; in a network
 * namespace so the address change stays there). Block 127.10.11.0/24.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderHaproxy } from '../../renderers';
import { freePort, startHaproxy, tempDir, waitFor, writeRendered, checkConfig, HAPROXY, type RunningHaproxy } from '../lib/haproxy-harness';
import { loadExample } from '../lib/examples';
import { request, startBackend, type Backend } from '../lib/render-backends';
import { RENDER_CTX, rawDoc, rawListener, rawMember, rawPool, valid } from '../lib/render-fixtures';

const VIP = '127.10.11.1';
const running: RunningHaproxy[] = [];
let backend: Backend;

beforeAll(async () => {
  backend = await startBackend('m1', '127.10.11.10');
});

afterAll(async () => {
  for (const h of running) await h.stop();
  await backend.close();
});

test('a local VIP is served while additional VIPs are not on the machine', async () => {
  const port = await freePort(VIP);
  const raw = rawDoc([rawListener('l1', port, 'p1')], [rawPool('p1', [rawMember('m1', backend.address, backend.port)])], {
    vip_address: VIP,
    additional_vips: [{ ip_address: '192.0.2.77', subnet_id: 's1' }, { ip_address: '2001:db8::77', subnet_id: 's2' }],
  });
  const h = await startHaproxy(raw);
  running.push(h);
  expect(h.out.files['haproxy.cfg']).toContain('bind 192.0.2.77:');
  const r = await request(VIP, port);
  expect(r.status).toBe(200);
  expect(r.headers['x-member']).toBe('m1');
});

test('the ACTIVE_STANDBY example starts with its VRRP address and peers as given', async () => {
  const doc = loadExample('terminated-https-l7');
  doc.loadbalancer.vip_address = '127.10.11.20';
  // members to loopback too (the requests below are answered by haproxy itself)
  let i = 30;
  for (const p of doc.loadbalancer.pools) for (const m of p.members) Object.assign(m, { address: `127.10.11.${i++}` });
  expect(doc.amphora.vrrp_address).toBe('10.0.0.11');
  const h = await startHaproxy(doc);
  running.push(h);
  expect(h.out.files['haproxy.cfg']).toMatch(/^ {4}bind 10\.0\.0\.11:1025 transparent$/m);
  // the HTTP listener of the example redirects everything to https
  const r = await request('127.10.11.20', 80);
  expect(r.status).toBe(308);
  expect(r.headers.location).toBe('https://www.example.com/');
});

test('without CAP_NET_ADMIN haproxy falls back to IP_FREEBIND: non-local VIPs still bind', async () => {
  const dir = tempDir('amphora-nocap');
  const runDir = path.join(dir, 'run');
  fs.mkdirSync(runDir);
  const conf = path.join(dir, 'conf');
  const raw = rawDoc([rawListener('l1', 8080, null)], [], { vip_address: '192.0.2.78', additional_vips: [{ ip_address: '2001:db8::78', subnet_id: 's1' }] });
  writeRendered(conf, renderHaproxy(valid(raw), { ...RENDER_CTX, runDir }));
  // IP_TRANSPARENT needs CAP_NET_ADMIN or CAP_NET_RAW: drop both from the bounding set
  const proc = spawn('setpriv', ['--bounding-set', '-net_admin,-net_raw', HAPROXY, '-db', '-C', conf, '-f', path.join(conf, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += d.toString()));
  try {
    await waitFor(() => {
      if (proc.exitCode !== null) throw new Error(`haproxy exited ${proc.exitCode}: ${stderr}`);
      return fs.existsSync(path.join(runDir, 'haproxy.sock'));
    }, 10000, 'haproxy to start');
    const caps = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/^CapEff:\s*([0-9a-f]+)/m)![1];
    expect(BigInt(`0x${caps}`) & BigInt(0x3000)).toBe(BigInt(0)); // CAP_NET_ADMIN (12) and CAP_NET_RAW (13) are gone
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('a VIP added after haproxy bound it (network namespace)', () => {
  const ns = `amphora-nonlocal-${process.pid}`;
  const dir = tempDir('amphora-nonlocal');
  let proc: ChildProcess | null = null;
  const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });
  // a client inside the namespace: node prints the status code or the error code
  const get = (url: string) =>
    spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', `require('http').get(${JSON.stringify(url)},(r)=>{console.log(r.statusCode);process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`], { encoding: 'utf8' }).stdout.trim();

  beforeAll(() => {
    expect(ip('netns', 'add', ns).status).toBe(0);
    expect(ip('-n', ns, 'link', 'set', 'lo', 'up').status).toBe(0);
  });
  afterAll(async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    }
    ip('netns', 'del', ns);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('haproxy starts without the VIPs and serves them once they are added', async () => {
    // no pool: haproxy itself answers 503, which proves the frontend received the request
    const raw = rawDoc([rawListener('l1', 8080, null)], [], { vip_address: '192.0.2.5', additional_vips: [{ ip_address: '2001:db8::5', subnet_id: 's1' }] });
    const runDir = path.join(dir, 'run');
    fs.mkdirSync(runDir);
    const conf = path.join(dir, 'conf');
    writeRendered(conf, renderHaproxy(valid(raw), { ...RENDER_CTX, runDir }));
    expect(checkConfig(conf).ok).toBe(true);
    let stderr = '';
    proc = spawn('ip', ['netns', 'exec', ns, HAPROXY, '-db', '-C', conf, '-f', path.join(conf, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (d) => (stderr += d.toString()));
    await waitFor(() => {
      if (proc!.exitCode !== null) throw new Error(`haproxy exited ${proc!.exitCode}: ${stderr}`);
      return fs.existsSync(path.join(runDir, 'haproxy.sock'));
    }, 10000, 'haproxy to start');
    expect(get('http://192.0.2.5:8080/')).not.toBe('503');
    expect(ip('-n', ns, 'addr', 'add', '192.0.2.5/32', 'dev', 'lo').status).toBe(0);
    expect(ip('-n', ns, 'addr', 'add', '2001:db8::5/128', 'dev', 'lo', 'nodad').status).toBe(0);
    expect(await waitFor(() => get('http://192.0.2.5:8080/') === '503', 10000, 'the IPv4 VIP served')).toBe(true);
    expect(await waitFor(() => get('http://[2001:db8::5]:8080/') === '503', 10000, 'the IPv6 VIP served')).toBe(true);
    expect(proc.exitCode).toBeNull();
  });
});
