/**
 * Real keepalived VRRP between two network namespaces joined by a veth pair
 * (10.99.0.1 and 10.99.0.2, VIP 10.99.0.100): the MASTER holds the VIP while
 * its haproxy (a stand-in process whose pid is in the run directory) lives,
 * and the BACKUP takes the VIP when it dies. Needs root (netns, veth).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderHaproxy } from '../../renderers';
import { tempDir, waitFor } from '../lib/haproxy-harness';
import { RENDER_CTX, rawDoc, valid } from '../lib/render-fixtures';

const tag = String(process.pid % 100000);
const NS = { a: `amph-vrrp-${tag}-a`, b: `amph-vrrp-${tag}-b` };
const IF = { a: `kva${tag}`.slice(0, 15), b: `kvb${tag}`.slice(0, 15) };
const ADDR = { a: '10.99.0.1', b: '10.99.0.2' };
const VIP = '10.99.0.100';
const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });
const canNetns = (() => {
  const r = ip('netns', 'add', NS.a);
  return r.status === 0;
})();

let dir = '';
const procs: ChildProcess[] = [];
const standIns: Record<string, ChildProcess> = {};

function start(side: 'a' | 'b', role: 'MASTER' | 'BACKUP'): void {
  const peer = side === 'a' ? 'b' : 'a';
  const runDir = path.join(dir, side);
  fs.mkdirSync(runDir, { recursive: true });
  // the stand-in "haproxy master": keepalived only checks that its pid lives
  const standIn = spawn('sleep', ['600'], { stdio: 'ignore' });
  standIns[side] = standIn;
  fs.writeFileSync(path.join(runDir, 'haproxy.pid'), `${standIn.pid}\n`);
  const doc = valid({
    ...rawDoc([], [], { loadbalancer_id: 'lb-vrrp', vip_address: VIP }),
    amphora: { id: `amp-${side}`, topology: 'ACTIVE_STANDBY', role, vrrp_address: ADDR[side], vrrp_peers: [{ id: `amp-${peer}`, address: ADDR[peer] }] },
  });
  const out = renderHaproxy(doc, { ...RENDER_CTX, runDir, vrrpInterface: IF[side] } as typeof RENDER_CTX);
  const conf = path.join(runDir, 'keepalived.conf');
  fs.writeFileSync(conf, out.files['keepalived.conf']);
  const args = ['netns', 'exec', NS[side], 'keepalived', '-n', '-l', '-D', '-P', '-f', conf, '-p', path.join(runDir, 'k.pid'), '-r', path.join(runDir, 'v.pid')];
  procs.push(spawn('ip', args, { stdio: 'ignore' }));
}

const hasVip = (side: 'a' | 'b') => ip('-n', NS[side], '-4', 'addr', 'show', 'dev', IF[side]).stdout.includes(`${VIP}/32`);

beforeAll(() => {
  if (!canNetns) return;
  dir = tempDir('amphora-vrrp');
  for (const cmd of [
    ['netns', 'add', NS.b],
    ['link', 'add', IF.a, 'type', 'veth', 'peer', 'name', IF.b],
    ['link', 'set', IF.a, 'netns', NS.a],
    ['link', 'set', IF.b, 'netns', NS.b],
    ['-n', NS.a, 'addr', 'add', `${ADDR.a}/24`, 'dev', IF.a],
    ['-n', NS.b, 'addr', 'add', `${ADDR.b}/24`, 'dev', IF.b],
    ['-n', NS.a, 'link', 'set', IF.a, 'up'],
    ['-n', NS.b, 'link', 'set', IF.b, 'up'],
  ]) {
    const r = ip(...cmd);
    if (r.status !== 0) throw new Error(`ip ${cmd.join(' ')}: ${r.stderr}`);
  }
  start('a', 'MASTER');
  start('b', 'BACKUP');
});

afterAll(async () => {
  for (const p of [...procs, ...Object.values(standIns)]) {
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await gone;
    }
  }
  if (canNetns) {
    ip('netns', 'del', NS.a);
    ip('netns', 'del', NS.b);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

(canNetns ? test : test.skip)('the MASTER holds the VIP; the BACKUP takes it when the MASTER\'s haproxy dies', async () => {
  await waitFor(() => hasVip('a'), 20000, 'the MASTER to hold the VIP');
  expect(hasVip('b')).toBe(false);
  standIns.a.kill('SIGKILL');
  await waitFor(() => hasVip('b'), 20000, 'the BACKUP to take the VIP');
  await waitFor(() => !hasVip('a'), 20000, 'the failed MASTER to drop the VIP');
}, 60000);
