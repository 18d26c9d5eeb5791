/** keepalived's lifecycle over a fake keepalived (test/lib/fake-keepalived): start, reload only on change, modes, stop, restart after death. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderHaproxy } from '../../renderers/haproxy';
import { keepalivedRuntimePaths } from '../../renderers/keepalived/runtime-paths';
import type { RenderOutput } from '../../renderers/types';
import type { Document } from '../../schemas/document';
import { fakeKeepalived, type FakeKeepalived } from '../../test/lib/fake-keepalived';
import { rawDoc, rawListener, rawMember, rawPool, RENDER_CTX, valid } from '../../test/lib/render-fixtures';
import { VrrpInterfaceMissing } from '../errors';
import { createLogger } from '../log';
import { probeIpvs } from './ipvs';
import { createKeepalivedProcess } from './keepalived-process';
import { createKeepalivedLifecycle, type KeepalivedLifecycle } from './lifecycle';

const amphora = (role = 'MASTER') => ({ id: 'amp-a', topology: 'ACTIVE_STANDBY', role, vrrp_address: '10.0.0.11', vrrp_peers: [{ id: 'amp-b', address: '10.0.0.12' }] });
const http = (weight = 1) => rawDoc([rawListener('l1', 80, 'p1')], [rawPool('p1', [rawMember('m1', '192.0.2.1', 8080, { weight })])]);
const udp = () => rawDoc([rawListener('u1', 53, 'p2', { protocol: 'UDP' })], [rawPool('p2', [rawMember('m2', '192.0.2.2', 53)], { protocol: 'UDP' })]);

let dir: string;
let ka: FakeKeepalived;
let logs: { level: string; msg: string }[];

function make(opts: { ifaces?: string[]; ipvs?: boolean } = {}): KeepalivedLifecycle {
  const paths = keepalivedRuntimePaths(path.join(dir, 'run'));
  const log = createLogger({ debug: true, write: (l) => void logs.push(JSON.parse(l)) });
  return createKeepalivedLifecycle({
    process: createKeepalivedProcess({ cmd: '/usr/sbin/keepalived', paths, runner: ka.runner, sleep: async () => undefined }),
    paths, vrrpInterface: 'eth1', engineName: 'haproxy',
    probe: { pidFile: path.join(dir, 'run/haproxy.pid'), cmdlineMarker: path.join(dir, 'run/master.sock') },
    ipvs: () => probeIpvs({ runner: ka.runner, exists: () => opts.ipvs ?? false }),
    interfaces: () => opts.ifaces ?? ['eth0', 'eth1', 'lo'],
    log,
  });
}

/** Renders a raw document and writes its files into `current/`, as the transaction does before serve. */
function stage(raw: Record<string, unknown>): { doc: Document; out: RenderOutput; current: string } {
  const doc = valid(raw);
  const out = renderHaproxy(doc, { ...RENDER_CTX, runDir: path.join(dir, 'run') });
  const current = path.join(dir, 'current');
  fs.rmSync(current, { recursive: true, force: true });
  fs.mkdirSync(current, { recursive: true });
  for (const [f, text] of Object.entries(out.files)) if (!f.includes('/')) fs.writeFileSync(path.join(current, f), text);
  return { doc, out, current };
}

const serve = (lc: KeepalivedLifecycle, raw: Record<string, unknown>) => {
  const s = stage(raw);
  return lc.serve(s.current, s.out, () => s.doc);
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ka-lifecycle-'));
  ka = fakeKeepalived();
  logs = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a document without VRRP or UDP/SCTP listeners runs no keepalived', async () => {
  const lc = make();
  await serve(lc, http());
  expect(ka.starts).toBe(0);
  expect(lc.status()).toMatchObject({ needed: false, running: false, pid: null, vrrp_state: null, lvs: null });
});

test('ACTIVE_STANDBY: starts VRRP only (-P) with its own pid files, the engine check and notify scripts written first', async () => {
  const lc = make();
  await serve(lc, { ...http(), amphora: amphora() });
  expect(ka.starts).toBe(1);
  const start = ka.runs.find((r) => r.startsWith('/usr/sbin/keepalived -f'))!;
  expect(start).toBe(`/usr/sbin/keepalived -f ${dir}/current/keepalived.conf -p ${dir}/run/keepalived/keepalived.pid -r ${dir}/run/keepalived/vrrp.pid -c ${dir}/run/keepalived/checker.pid -P`);
  for (const f of ['check-engine.sh', 'vrrp-notify.sh']) expect(fs.statSync(path.join(dir, 'run/keepalived', f)).mode & 0o777).toBe(0o700);
  expect(fs.statSync(path.join(dir, 'run/keepalived')).mode & 0o777).toBe(0o700);
  expect(lc.status()).toMatchObject({ needed: true, running: true, pid: ka.parent()!.pid, mode: { vrrp: true, lvs: false }, vrrp_interface: 'eth1' });
  expect(logs.some((l) => l.msg === 'keepalived started')).toBe(true);
});

test('reloads by SIGHUP only when keepalived.conf changed; a member change of haproxy alone sends nothing', async () => {
  const lc = make();
  await serve(lc, { ...http(1), amphora: amphora() });
  await serve(lc, { ...http(1), amphora: amphora() });
  await serve(lc, { ...http(5), amphora: amphora() });
  expect(ka.reloads).toBe(0);
  await serve(lc, { ...http(5), amphora: { ...amphora(), vrrp_priority: 42 } });
  expect(ka.reloads).toBe(1);
  expect(ka.loaded.at(-1)).toContain('priority 42');
  expect(ka.starts).toBe(1);
});

test('a restarted agent adopts the running keepalived without a reload when the file is the one it loaded', async () => {
  await serve(make(), { ...http(), amphora: amphora() });
  const again = make();
  await serve(again, { ...http(), amphora: amphora() });
  expect({ starts: ka.starts, reloads: ka.reloads }).toEqual({ starts: 1, reloads: 0 });
});

test('LVS needs IPVS: without it a UDP-only document starts nothing and says why; VRRP still runs, without the checker', async () => {
  const lc = make({ ipvs: false });
  await serve(lc, udp());
  expect(ka.starts).toBe(0);
  expect(ka.runs).toContain('modprobe ip_vs');
  expect(lc.status()).toMatchObject({ needed: true, running: false, lvs: { available: false, reason: expect.stringMatching(/no IPVS: "modprobe ip_vs" failed \(modprobe: FATAL: Module ip_vs not found\) and \/proc\/net\/ip_vs does not exist/) } });
  await serve(lc, { ...udp(), amphora: amphora() });
  expect(ka.runs.at(-1)).toMatch(/ -P$/);
  expect(lc.status()).toMatchObject({ running: true, mode: { vrrp: true, lvs: false } });
  // what the heartbeat reads: the plan, LVS not running, and why
  expect(lc.lvs()).toMatchObject({ running: false, plan: [{ listenerId: 'u1', poolKey: 'p2:u1' }], ipvs: { available: false } });
});

test('with IPVS, VRRP and LVS run together; adding LVS to a VRRP-only keepalived restarts it (its children are chosen by flags)', async () => {
  const lc = make({ ipvs: true });
  await serve(lc, { ...http(), amphora: amphora() });
  const first = ka.parent()!.pid;
  await serve(lc, { ...udp(), amphora: amphora() });
  expect(ka.starts).toBe(2);
  expect(ka.parent()!.pid).not.toBe(first);
  expect(ka.runs.at(-1)).not.toMatch(/ -[PC]$/);
  expect(lc.status()).toMatchObject({ mode: { vrrp: true, lvs: true }, lvs: { available: true, reason: null } });
  expect(lc.lvs()).toMatchObject({ running: true, plan: [{ listenerId: 'u1' }] });
  await serve(lc, udp());
  expect(ka.runs.at(-1)).toMatch(/ -C$/);
});

test('a document that no longer needs keepalived stops it; DELETE stops it', async () => {
  const lc = make();
  await serve(lc, { ...http(), amphora: amphora() });
  await serve(lc, http());
  expect(ka.parent()).toBeNull();
  expect(lc.status()).toMatchObject({ needed: false, running: false });
  await serve(lc, { ...http(), amphora: amphora() });
  await lc.stop();
  expect(ka.parent()).toBeNull();
  expect(fs.existsSync(path.join(dir, 'run/keepalived/keepalived.pid'))).toBe(false);
  expect(await lc.health()).toBe('idle');
});

test('restart after death: health says dead, restartIfDead starts it again with the same file', async () => {
  const lc = make();
  await serve(lc, { ...http(), amphora: amphora() });
  expect(await lc.health()).toBe('running');
  ka.crash();
  expect(lc.status().running).toBe(false);
  expect(await lc.health()).toBe('dead');
  expect(await lc.restartIfDead()).toBe(true);
  expect(await lc.health()).toBe('running');
  expect(ka.starts).toBe(2);
  expect(ka.loaded[1]).toBe(ka.loaded[0]);
  expect(await lc.restartIfDead()).toBe(false);
  // the restarted keepalived loaded the same file: nothing to reload for the same document
  await serve(lc, { ...http(), amphora: amphora() });
  expect(ka.reloads).toBe(0);
});

test('a pid file naming a process that is not keepalived (reused pid) counts as not running', async () => {
  const lc = make();
  await serve(lc, { ...http(), amphora: amphora() });
  ka.crash();
  const other = ka.foreign(['/usr/bin/sleep', '600']);
  fs.writeFileSync(path.join(dir, 'run/keepalived/keepalived.pid'), `${other}\n`);
  expect(ka.runner.isAlive(other)).toBe(true);
  expect(lc.status().running).toBe(false);
  expect(await lc.health()).toBe('dead');
});

test('the VRRP state comes from the notify script\'s state file, with the time of the transition', async () => {
  const lc = make();
  await serve(lc, { ...http(), amphora: amphora() });
  expect(lc.status()).toMatchObject({ vrrp_state: null, last_transition: null });
  const f = path.join(dir, 'run/keepalived/vrrp-state');
  fs.writeFileSync(f, 'MASTER 100\n');
  fs.utimesSync(f, new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
  expect(lc.status()).toMatchObject({ vrrp_state: 'MASTER', vrrp_priority: 100, last_transition: '2026-01-02T03:04:05.000Z' });
  fs.writeFileSync(f, 'FAULT 100\n');
  await serve(lc, { ...http(), amphora: { ...amphora('BACKUP') } });
  // the configured priority, not the one of the last transition
  expect(lc.status()).toMatchObject({ vrrp_state: 'FAULT', vrrp_priority: 90 });
  ka.crash();
  expect(lc.status().vrrp_state).toBeNull();
});

describe('check', () => {
  test('a missing VRRP interface is refused naming vrrp_interface, before keepalived runs', async () => {
    const lc = make({ ifaces: ['eth0', 'lo'] });
    const s = stage({ ...http(), amphora: amphora() });
    const e = await lc.check(s.current, Object.keys(s.out.files), s.doc.amphora).catch((x) => x);
    expect(e).toBeInstanceOf(VrrpInterfaceMissing);
    expect(e.status).toBe(422);
    expect(e.message).toBe('[amphora_agent] vrrp_interface: eth1 does not exist on this VM (its interfaces: eth0, lo); the ACTIVE_STANDBY document needs it for VRRP, so set vrrp_interface to the NIC that carries the VIP');
    expect(e.toBody()).toMatchObject({ code: 'VRRP_INTERFACE_MISSING', vrrp_interface: 'eth1', interfaces: ['eth0', 'lo'] });
    expect(ka.runs).toEqual([]);
  });

  test('keepalived --config-test decides; its words come back', async () => {
    const lc = make();
    const s = stage({ ...http(), amphora: amphora() });
    expect(await lc.check(s.current, Object.keys(s.out.files), s.doc.amphora)).toEqual({ ok: true, output: '' });
    expect(ka.runs).toEqual([`/usr/sbin/keepalived --config-test -f ${s.current}/keepalived.conf`]);
    ka.refuse = 'Non-existent interface specified in configuration';
    expect(await lc.check(s.current, Object.keys(s.out.files), s.doc.amphora)).toEqual({ ok: false, output: 'Non-existent interface specified in configuration' });
  });

  test('an engine without a probe cannot be watched: VRRP is refused (422) rather than run blind', async () => {
    const paths = keepalivedRuntimePaths(path.join(dir, 'run'));
    const lc = createKeepalivedLifecycle({
      process: createKeepalivedProcess({ cmd: '/usr/sbin/keepalived', paths, runner: ka.runner }), paths, vrrpInterface: 'eth1', engineName: 'nginx', probe: null,
      ipvs: async () => ({ available: false, reason: 'x' }), interfaces: () => ['eth1'], log: createLogger({ debug: false, write: () => undefined }),
    });
    const s = stage({ ...http(), amphora: amphora() });
    expect(await lc.check(s.current, Object.keys(s.out.files), s.doc.amphora)).toEqual({ ok: false, output: expect.stringMatching(/^the nginx engine gives keepalived no way to check it/) });
    expect(ka.runs).toEqual([]);
  });

  test('LVS alone without IPVS: keepalived will not run, so its file is not tested; the serve that follows takes the same probe', async () => {
    const lc = make({ ipvs: false });
    const s = stage(udp());
    expect(await lc.check(s.current, Object.keys(s.out.files), s.doc.amphora)).toEqual({ ok: true, output: '' });
    expect(ka.runs).toEqual(['modprobe ip_vs']);
    await lc.serve(s.current, s.out, () => s.doc);
    expect(ka.runs).toEqual(['modprobe ip_vs']);
    expect(lc.status()).toMatchObject({ needed: true, running: false, lvs: { available: false } });
    // a serve without a check before it probes itself
    await lc.serve(s.current, s.out, () => s.doc);
    expect(ka.runs).toEqual(['modprobe ip_vs', 'modprobe ip_vs']);
  });

  test('LVS alone with IPVS: keepalived --config-test decides', async () => {
    const lc = make({ ipvs: true });
    const s = stage(udp());
    ka.refuse = 'bad virtual_server';
    expect(await lc.check(s.current, Object.keys(s.out.files), s.doc.amphora)).toEqual({ ok: false, output: 'bad virtual_server' });
    expect(ka.runs).toEqual([`/usr/sbin/keepalived --config-test -f ${s.current}/keepalived.conf`]);
  });

  test('nothing to check without keepalived.conf; the VRRP interface is not needed for LVS alone', async () => {
    const lc = make({ ifaces: ['lo'] });
    const a = stage(http());
    expect(await lc.check(a.current, Object.keys(a.out.files), a.doc.amphora)).toEqual({ ok: true, output: '' });
    const b = stage(udp());
    expect((await lc.check(b.current, Object.keys(b.out.files), b.doc.amphora)).ok).toBe(true);
  });
});
