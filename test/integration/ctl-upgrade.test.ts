/**
 * The replace-VM upgrade with two real agents on loopback (different API
 * addresses, state directories and amphora ids): the old VM serving, the new
 * one empty; `plan-upgrade`, a `migrate` that must refuse, `migrate` with its
 * own heartbeat receiver and again through a running `watch --state-file`;
 * then the old VM retired and traffic through the VIP served by the new one.
 * Both haproxys bind the same VIP:port (haproxy sets SO_REUSEPORT), as the
 * two VMs would hold the same VIP on their own NICs. Loopback block 127.70.3.0/24.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentDetails } from '../../controller/agent-answers';
import type { MigrateReport } from '../../controller/upgrade';
import { AgentProcess, freePort, ROOT, tempDir, until } from '../lib/agent-harness';
import { get, startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { httpBasicDoc } from '../lib/agent-docs';
import { agentCerts, certsArgs, ctl, labPki } from '../lib/ctl-harness';

jest.setTimeout(120_000);

const NET = '127.70.3';
const OLD = '7a1e0000-0000-4000-8000-0000000000a1';
const NEW = '7a1e0000-0000-4000-8000-0000000000b2';
const HB_KEY = 'upgrade-test-key';
let work: string;
let pki: Awaited<ReturnType<typeof labPki>>;
let oldVm: AgentProcess;
let newVm: AgentProcess;
let backends: Backend[];
let vipPort: number;
let hbPort: number;
let keyFile: string;
let watcher: ChildProcess | null = null;

/** A UDP port that was free on `host` a moment ago. */
function freeUdpPort(host: string): Promise<number> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, host, () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

const docFile = (name: string, d: unknown) => {
  const f = path.join(work, `${name}.json`);
  fs.writeFileSync(f, JSON.stringify(d));
  return f;
};
const doc = (generation: number) => httpBasicDoc(generation, { host: `${NET}.2`, port: vipPort }, backends);
const urlOf = (a: AgentProcess) => `https://${a.o.ip}:${a.port}`;
const details = async (a: AgentProcess) => (await a.api('GET', '/v1/details')).body as AgentDetails & { counters: { reloads: number } };
const fromTo = () => ['--from', urlOf(oldVm), '--to', urlOf(newVm), ...certsArgs(pki)];

beforeAll(async () => {
  work = tempDir('ctl-upgrade-');
  pki = await labPki(path.join(work, 'pki'));
  keyFile = path.join(work, 'hb.key');
  fs.writeFileSync(keyFile, `${HB_KEY}\n`);
  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
  vipPort = await freePort(`${NET}.2`);
  hbPort = await freeUdpPort(`${NET}.9`);
  const heartbeat = { controllers: `${NET}.9:${hbPort}`, intervalSec: 1, key: HB_KEY };
  oldVm = new AgentProcess({ ip: `${NET}.1`, certs: await agentCerts(pki, OLD, `${NET}.1`), amphoraId: OLD, heartbeat, stateDir: path.join(work, 'old', 'state') }, fs.mkdtempSync(path.join(work, 'old-')));
  newVm = new AgentProcess({ ip: `${NET}.4`, certs: await agentCerts(pki, NEW, `${NET}.4`), amphoraId: NEW, heartbeat, stateDir: path.join(work, 'new', 'state') }, fs.mkdtempSync(path.join(work, 'new-')));
  await Promise.all([oldVm.start(), newVm.start()]);
  const pushed = await ctl(['push', docFile('gen1', doc(1)), '--agent', urlOf(oldVm), ...certsArgs(pki)]);
  if (pushed.code !== 0) throw new Error(`the old VM did not take generation 1: ${pushed.out}${pushed.err}`);
  await until('the old VM to serve the VIP', async () => (await get(`${NET}.2`, vipPort)).status === 200);
});

afterAll(async () => {
  if (watcher && watcher.exitCode === null) watcher.kill('SIGKILL');
  await oldVm?.cleanup();
  await newVm?.cleanup();
  await stopBackends(backends ?? []);
  fs.rmSync(work, { recursive: true, force: true });
});

test('plan-upgrade: the document moves unchanged; the old VM serves it; the new is empty', async () => {
  const r = await ctl(['plan-upgrade', docFile('gen1', doc(1)), ...fromTo()]);
  expect(r.code).toBe(0);
  expect(r.out).toContain(`moving generation 1 from ${OLD} (${urlOf(oldVm)}) to ${NEW} (${urlOf(newVm)})`);
  expect(r.out).toContain('the VMs run the same engine, versions and capabilities');
  expect(r.out).toMatch(/the old VM serves this document \(config_hash [0-9a-f]{64}\)/);
  expect(r.out).toContain("the new VM's dry run: valid (it is empty)");
  expect(r.out).toContain('the document moves unchanged');
  const j = JSON.parse((await ctl(['plan-upgrade', docFile('gen1', doc(1)), ...fromTo(), '--json'])).out);
  expect(j).toMatchObject({ moves: true, blockers: [], old: { amphora_id: OLD, applied_generation: 1, serves_document: true }, new: { amphora_id: NEW, applied_generation: null, dry_run: { ok: true, unchanged: false } } });
});

test('migrate refuses a document the old VM does not serve, and pushes nothing', async () => {
  const r = await ctl(['migrate', docFile('gen2', doc(2)), ...fromTo(), '--bind', `${NET}.9:${hbPort}`, '--heartbeat-key-file', keyFile, '--wait', '5']);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/NOT DONE: the old VM serves generation 1 \(config_hash [0-9a-f]{64}\), not this document/);
  expect((await details(newVm)).applied_generation).toBeNull();
});

test('migrate with its own receiver: new VM applied, heartbeats matched, old VM untouched', async () => {
  const before = await details(oldVm);
  const r = await ctl(['migrate', docFile('gen1', doc(1)), ...fromTo(), '--bind', `${NET}.9:${hbPort}`, '--heartbeat-key-file', keyFile, '--wait', '60', '--json']);
  const report = JSON.parse(r.out) as MigrateReport;
  expect({ code: r.code, result: report.result, differences: report.differences }).toEqual({ code: 0, result: 'retire_old', differences: [] });
  expect(report.message).toContain(`the new VM ${NEW} reports every listener and member as the old VM ${OLD} does`);
  expect(report.push).toMatchObject({ status: 'applied', serving: true, config_hash: before.config_hash });
  const { old, new: neu } = report.heartbeats;
  expect(old!.message).toMatchObject({ id: OLD, config_hash: before.config_hash, generation: 1 });
  expect(neu!.message).toMatchObject({ id: NEW, config_hash: before.config_hash, generation: 1 });
  const statuses = (m: typeof old) => ({ listeners: Object.fromEntries(Object.entries(m!.message.listeners).map(([k, l]) => [k, l.status])), pools: m!.message.pools });
  expect(statuses(neu)).toEqual(statuses(old));
  expect(Object.keys(old!.message.listeners)).toHaveLength(1);
  expect(Object.values(old!.message.pools)[0].members).toEqual(Object.fromEntries(doc(1).loadbalancer.pools[0].members.map((m: { member_id: string }) => [m.member_id, 'UP'])));
  const after = await details(oldVm);
  expect({ gen: after.applied_generation, hash: after.config_hash, reloads: after.counters.reloads, pid: after.engine_process.worker_pid })
    .toEqual({ gen: 1, hash: before.config_hash, reloads: before.counters.reloads, pid: before.engine_process.worker_pid });
  expect((await details(newVm))).toMatchObject({ applied_generation: 1, config_hash: before.config_hash });
});

test('migrate reading a running `watch --state-file` instead', async () => {
  const state = path.join(work, 'watch-state.json');
  watcher = spawn(path.join(ROOT, 'bin/amphora-ctl'), ['watch', '--bind', `${NET}.9:${hbPort}`, '--key-file', keyFile, '--json', '--state-file', state], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  watcher.stderr!.on('data', (c) => (err += c));
  await until('watch to listen', () => err.includes('listening on'));
  const r = await ctl(['migrate', docFile('gen1', doc(1)), ...fromTo(), '--watch-state', state, '--wait', '60']);
  watcher.kill('SIGTERM');
  expect(await new Promise((res) => watcher!.once('exit', res))).toBe(0);
  expect(r.code).toBe(0);
  expect(r.out).toContain('push to the new VM: unchanged already serving generation 1');
  expect(r.out).toMatch(/DONE: the new VM .* the old VM may be retired/);
});

test('the old VM retired: the VIP is served by the new VM alone', async () => {
  await oldVm.cleanup();
  const total = async () => Object.values((await details(newVm)).listeners).reduce((n, l) => n + Number(l.total_connections ?? 0), 0);
  const before = await total();
  const bodies = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const r = await get(`${NET}.2`, vipPort);
    expect(r.status).toBe(200);
    bodies.add(r.body.trim());
  }
  expect([...bodies].sort()).toEqual(['alpha', 'beta']);
  expect(await total()).toBeGreaterThanOrEqual(before + 10);
});
