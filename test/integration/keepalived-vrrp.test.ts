/**
 * Real keepalived VRRP between two network namespaces joined by a veth pair
 * (10.99.0.1 and 10.99.0.2, VIP 10.99.0.100), with the agent's runtime
 * scripts: the higher priority takes the VIP while its engine (a stand-in
 * process whose pid is in the run directory) lives, the peer takes it when
 * it dies, and the notify script's state file follows every transition.
 * Needs root (netns, veth).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderHaproxy } from '../../renderers';
import { keepalivedRuntimePaths } from '../../renderers/keepalived/runtime-paths';
import { writeRuntimeScripts } from '../../agent/keepalived/runtime-scripts';
import { readVrrpState } from '../../agent/keepalived/vrrp-state';
import { tempDir, waitFor } from '../lib/haproxy-harness';
import { RENDER_CTX, rawDoc, valid } from '../lib/render-fixtures';

const tag = String(process.pid % 100000);
const NS = { a: `aaka-vrrp-${tag}-a`, b: `aaka-vrrp-${tag}-b` };
const IF = { a: `aakaa${tag}`.slice(0, 15), b: `aakab${tag}`.slice(0, 15) };
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
  // the stand-in "haproxy master": the check script wants its pid alive with the marker on its command line
  const standIn = spawn('sleep', ['600'], { stdio: 'ignore' });
  standIns[side] = standIn;
  fs.writeFileSync(path.join(runDir, 'haproxy.pid'), `${standIn.pid}\n`);
  const rt = keepalivedRuntimePaths(runDir);
  writeRuntimeScripts(rt, 'haproxy', { pidFile: path.join(runDir, 'haproxy.pid'), cmdlineMarker: 'sleep' });
  const doc = valid({
    ...rawDoc([], [], { loadbalancer_id: 'lb-vrrp', vip_address: VIP }),
    amphora: { id: `amp-${side}`, topology: 'ACTIVE_STANDBY', role, vrrp_address: ADDR[side], vrrp_peers: [{ id: `amp-${peer}`, address: ADDR[peer] }] },
  });
  // a 1 s check: the default 5 s x 2 would only make this test slower
  const vrrpTiming = { advertInt: 1, checkInterval: 1, failCount: 2, successCount: 2, garpRefreshInterval: 5, garpRefreshCount: 2 };
  const out = renderHaproxy(doc, { ...RENDER_CTX, runDir, vrrpInterface: IF[side], vrrpTiming });
  const conf = path.join(runDir, 'keepalived.conf');
  fs.writeFileSync(conf, out.files['keepalived.conf']);
  const args = ['netns', 'exec', NS[side], 'keepalived', '-n', '-l', '-D', '-P', '-f', conf, '-p', rt.pidFile, '-r', rt.vrrpPidFile];
  procs.push(spawn('ip', args, { stdio: 'ignore' }));
}

const hasVip = (side: 'a' | 'b') => ip('-n', NS[side], '-4', 'addr', 'show', 'dev', IF[side]).stdout.includes(`${VIP}/32`);
const vrrpState = (side: 'a' | 'b') => readVrrpState(keepalivedRuntimePaths(path.join(dir, side)).stateFile)?.state ?? null;

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

(canNetns ? test : test.skip)('the MASTER holds the VIP; the BACKUP takes it when the MASTER\'s engine dies; the state file follows', async () => {
  await waitFor(() => hasVip('a') && vrrpState('a') === 'MASTER', 20000, 'the MASTER to hold the VIP');
  await waitFor(() => vrrpState('b') === 'BACKUP', 20000, 'the BACKUP to say BACKUP');
  expect(hasVip('b')).toBe(false);
  standIns.a.kill('SIGKILL');
  await waitFor(() => hasVip('b') && vrrpState('b') === 'MASTER', 20000, 'the BACKUP to take the VIP');
  await waitFor(() => !hasVip('a') && vrrpState('a') === 'FAULT', 20000, 'the failed MASTER to drop the VIP');
}, 60000);
