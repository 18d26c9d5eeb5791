/**
 * The VM image's root tree, built by `images/build --type tar` (diskimage-
 * builder running the amphora-agent element's own scripts on a debootstrapped
 * Debian), unpacked into a temp dir: what the element installed, the unit
 * checked by `systemd-analyze verify`, then the agent started in it by
 * `chroot` with the unit's own ExecStart line and a config as Octavia's config
 * drive delivers it, a contract example pushed through its API and traffic
 * through the image's haproxy. Loopback block 127.70.4.0/24.
 *
 * Its own jest project and npm script (`npm run test:image`): the build takes
 * minutes and needs the network to Debian's mirror.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentDetails } from '../../controller/agent-answers';
import { alive, freePort, ROOT, tempDir, until } from '../lib/agent-harness';
import { get, startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { httpBasicDoc } from '../lib/agent-docs';
import { buildRootTar, ChrootTree, removeTree } from '../lib/ctl-chroot';
import { certsArgs, ctl, ctlOk, labPki } from '../lib/ctl-harness';

const BUILD_MS = 20 * 60_000;
jest.setTimeout(BUILD_MS + 5 * 60_000);

const NET = '127.70.4';
const AMP = '7a1e0000-0000-4000-8000-0000000000c3';
let work: string;
let tree: ChrootTree;
let agent: ChildProcess | null = null;
let agentOut = '';
let backends: Backend[] = [];
let apiPort: number;
let pki: Awaited<ReturnType<typeof labPki>>;

const unitInTree = () => fs.readFileSync(tree.p('usr/lib/systemd/system/amphora-agent.service'), 'utf8');
const url = () => `https://${NET}.1:${apiPort}`;

beforeAll(async () => {
  work = tempDir('ctl-image-');
  tree = new ChrootTree(path.join(work, 'rootfs'));
  const tar = await buildRootTar(work, BUILD_MS);
  tree.unpack(tar);
  fs.rmSync(tar);
}, BUILD_MS + 60_000);

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    await ctl(['status', '--agent', url(), ...certsArgs(pki)]).catch(() => undefined);
    const a = agent;
    const exited = new Promise((r) => a.once('exit', r));
    a.kill('SIGTERM');
    await exited;
  }
  // the agent leaves haproxy serving when it stops: stop it by its pid file in the tree
  const pidFile = tree ? tree.p('var/lib/amphora-agent/run/haproxy.pid') : '';
  if (pidFile && fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    if (pid && alive(pid)) {
      process.kill(pid, 'SIGTERM');
      await until('the image haproxy to stop', () => !alive(pid), 10_000).catch(() => process.kill(pid, 'SIGKILL'));
    }
  }
  await stopBackends(backends);
  tree?.cleanup();
  if (work) removeTree(work);
});

test('the element installed the agent, Node >= 20, the engines, and the units as the agent needs them', () => {
  expect(Number(tree.run('node', ['-p', 'process.versions.node.split(".")[0]']).trim())).toBeGreaterThanOrEqual(20);
  expect(tree.run('haproxy', ['-v'])).toMatch(/^HAProxy version \d/);
  const k = spawnSync('chroot', [tree.root, 'keepalived', '--version'], { encoding: 'utf8' });
  expect(`${k.stdout}${k.stderr}`).toMatch(/Keepalived v\d/);
  const opt = tree.p('opt/amphora-agent');
  expect(fs.existsSync(path.join(opt, 'dist/agent/main.js'))).toBe(true);
  expect(fs.statSync(path.join(opt, 'bin/amphora-agent')).mode & 0o111).not.toBe(0);
  // production dependencies only, and no controller code on the VM
  for (const absent of ['node_modules/jest', 'node_modules/typescript', 'node_modules/ts-jest', 'dist/controller', 'dist/test']) expect([absent, fs.existsSync(path.join(opt, absent))]).toEqual([absent, false]);
  for (const present of ['node_modules/express', 'node_modules/zod', 'node_modules/unix-dgram/build/Release/unix_dgram.node']) expect([present, fs.existsSync(path.join(opt, present))]).toEqual([present, true]);
  expect(unitInTree()).toBe(fs.readFileSync(path.join(ROOT, 'images/amphora-agent.service'), 'utf8'));
  expect(fs.readlinkSync(tree.p('etc/systemd/system/multi-user.target.wants/amphora-agent.service'))).toBe('/usr/lib/systemd/system/amphora-agent.service');
  for (const engine of ['haproxy', 'keepalived']) expect(fs.readlinkSync(tree.p(`etc/systemd/system/${engine}.service`))).toBe('/dev/null');
  expect(fs.existsSync(tree.p('etc/systemd/system/multi-user.target.wants/haproxy.service'))).toBe(false);
  expect(fs.statSync(tree.p('etc/octavia/certs')).mode & 0o777).toBe(0o700);
  expect(fs.readFileSync(tree.p('etc/modules-load.d/amphora-agent.conf'), 'utf8')).toMatch(/^ip_vs$/m);
  // nginx binds a VIP the VM does not hold yet (a BACKUP amphora's) only with these (renderers/nginx/README.md)
  const sysctls = fs.readFileSync(tree.p('etc/sysctl.d/60-amphora-agent.conf'), 'utf8');
  for (const k of ['net.ipv4.ip_nonlocal_bind', 'net.ipv6.ip_nonlocal_bind']) expect(sysctls).toMatch(new RegExp(`^${k.replace(/\./g, '\\.')} = 1$`, 'm'));
});

test('systemd-analyze verifies the unit in the tree; its exposure score is OK', () => {
  const v = spawnSync('systemd-analyze', ['verify', `--root=${tree.root}`, 'amphora-agent.service'], { encoding: 'utf8' });
  // the tree's other units carry keys newer than this host's systemd: only our unit's lines count
  const ours = `${v.stdout}${v.stderr}`.split('\n').filter((l) => l.includes('amphora-agent'));
  expect({ status: v.status, ours }).toEqual({ status: 0, ours: [] });
  const s = spawnSync('systemd-analyze', ['security', '--offline=true', `--root=${tree.root}`, 'amphora-agent.service'], { encoding: 'utf8' });
  const score = /Overall exposure level for amphora-agent\.service: ([\d.]+) (\w+)/.exec(s.stdout + s.stderr);
  expect(score).not.toBeNull();
  expect(Number(score![1])).toBeLessThanOrEqual(3.5);
});

test('the agent starts in the tree from the unit\'s ExecStart, takes a contract example and serves it', async () => {
  pki = await labPki(path.join(work, 'pki'));
  await ctlOk(['certs', 'agent', '--dir', pki.dir, '--days', '2', '--amphora-id', AMP, '--address', `${NET}.1`]);
  // where Octavia's config drive puts them
  fs.copyFileSync(path.join(pki.dir, `agent-${AMP}.pem`), tree.p('etc/octavia/certs/server.pem'));
  fs.copyFileSync(pki.ca, tree.p('etc/octavia/certs/client_ca.pem'));
  apiPort = await freePort(`${NET}.1`);
  fs.writeFileSync(tree.p('etc/octavia/amphora-agent.conf'), `[DEFAULT]
debug = False

[haproxy_amphora]
bind_host = ${NET}.1
bind_port = ${apiPort}
haproxy_cmd = /usr/sbin/haproxy

[health_manager]
controller_ip_port_list = ${NET}.9:5555
heartbeat_interval = 10
heartbeat_key = image-test

[amphora_agent]
agent_server_ca = /etc/octavia/certs/client_ca.pem
agent_server_cert = /etc/octavia/certs/server.pem
amphora_id = ${AMP}
`);
  const execStart = /^ExecStart=(.+)$/m.exec(unitInTree())![1].trim().split(/\s+/);
  expect(execStart).toEqual(['/opt/amphora-agent/bin/amphora-agent', '--config-file', '/etc/octavia/amphora-agent.conf']);
  agent = spawn('chroot', [tree.root, ...execStart], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  agent.stdout!.on('data', (c) => (agentOut += c));
  agent.stderr!.on('data', (c) => (agentOut += c));
  await until('the agent in the tree to answer', async () => {
    if (agent!.exitCode !== null) throw new Error(`the agent exited ${agent!.exitCode}: ${agentOut.slice(-2000)}`);
    return (await ctl(['info', '--agent', url(), ...certsArgs(pki)])).code === 0;
  }, 60_000);
  const info = JSON.parse((await ctlOk(['info', '--agent', url(), ...certsArgs(pki), '--json'])).out).details as AgentDetails;
  expect(info).toMatchObject({ amphora_id: AMP, engine: { name: 'haproxy' } });
  expect(info.node_version).toBe(`v${tree.run('node', ['-p', 'process.versions.node']).trim()}`);

  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
  const vip = { host: `${NET}.2`, port: await freePort(`${NET}.2`) };
  const docFile = path.join(work, 'doc.json');
  fs.writeFileSync(docFile, JSON.stringify(httpBasicDoc(1, vip, backends)));
  const pushed = await ctl(['push', docFile, '--agent', url(), ...certsArgs(pki)]);
  expect({ code: pushed.code, out: pushed.out }).toEqual({ code: 0, out: expect.stringMatching(/applied\s+applied generation 1/) });
  const seen = new Set<string>();
  await until('both members through the image haproxy', async () => {
    const r = await get(vip.host, vip.port);
    if (r.status === 200) seen.add(r.body.trim());
    return seen.size === 2;
  }, 30_000);
  expect([...seen].sort()).toEqual(['alpha', 'beta']);
  const d = JSON.parse((await ctlOk(['status', '--agent', url(), ...certsArgs(pki), '--json'])).out)[0].details as AgentDetails;
  expect(d).toMatchObject({ applied_generation: 1, engine_process: { running: true } });
  expect(Object.values(d.listeners).map((l) => l.status)).toEqual(['OPEN']);
});
