/** UDP/SCTP listeners from IPVS: /proc/net/ip_vs as the kernel writes it, Octavia's statuses, never UP without IPVS. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { heartbeatPlan } from '../../test/lib/heartbeat-doc';
import { showInfo, showStat } from '../../test/lib/heartbeat-show-stat';
import { nullLogger } from '../log';
import { HeartbeatCollector } from './collector';
import { CounterStore } from './counters';
import { canonicalAddress, lvsReport, parseIpVs, readIpVs, type LvsListener } from './lvs';
import { lvsReader } from './companion';
import type { DaemonView } from '../daemon';
import { createLogger } from '../log';

// net/netfilter/ipvs/ip_vs_ctl.c ip_vs_info_seq_show: VIP 10.60.0.100 (0A3C0064), ports 53 (0035) and 5060 (13C4)
const PROC = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn
UDP  0A3C0064:0035 wrr 
  -> C0000201:0035      Masq    3      2          0         
  -> C0000202:0035      Masq    0      0          0         
UDP  [fd60:0000:0000:0000:0000:0000:0000:0100]:0035 wrr 
  -> [2001:0db8:0000:0000:0000:0000:0000:0032]:0035      Masq    1      1          0         
SCTP 0A3C0064:13C4 sh persistent 90 FFFFFF00
  -> C0000203:13C4      Masq    1      0          4         
FWM  00000001 wlc 
  -> C0000204:0000      Masq    1      0          0         
`;

test('parseIpVs reads services and their destinations, IPv4 and IPv6, and skips firewall marks', () => {
  expect(parseIpVs(PROC)).toEqual([
    { protocol: 'UDP', address: '10.60.0.100', port: 53, dests: [{ address: '192.0.2.1', port: 53, weight: 3, activeConns: 2 }, { address: '192.0.2.2', port: 53, weight: 0, activeConns: 0 }] },
    { protocol: 'UDP', address: 'fd60::100', port: 53, dests: [{ address: '2001:db8::32', port: 53, weight: 1, activeConns: 1 }] },
    { protocol: 'SCTP', address: '10.60.0.100', port: 5060, dests: [{ address: '192.0.2.3', port: 5060, weight: 1, activeConns: 0 }] },
  ]);
  expect(parseIpVs('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n')).toEqual([]);
});

test.each([
  ['2001:DB8:0:0::32', '2001:db8::32'],
  ['[2001:db8::32]', '2001:db8::32'],
  ['10.0.0.1', '10.0.0.1'],
])('canonicalAddress(%s)', (a, want) => expect(canonicalAddress(a)).toBe(want));

const dns: LvsListener = {
  listenerId: 'lu', protocol: 'UDP', poolKey: 'pu:lu', monitored: true,
  services: [{ address: '10.60.0.100', port: 53 }, { address: 'FD60::100', port: 53 }],
  members: [
    { id: 'm1', address: '192.0.2.1', port: 53, enabled: true },
    { id: 'm2', address: '192.0.2.2', port: 53, enabled: true },
    { id: 'm6', address: '2001:db8:0::32', port: 53, enabled: true },
    { id: 'm3', address: '192.0.2.9', port: 53, enabled: true },
    { id: 'm4', address: '192.0.2.10', port: 53, enabled: false },
  ],
};
const sip: LvsListener = { listenerId: 'ls', protocol: 'SCTP', poolKey: 'ps:ls', monitored: false, services: [{ address: '10.60.0.100', port: 5060 }], members: [{ id: 'm5', address: '192.0.2.3', port: 5060, enabled: true }] };
const up = { available: true as const, services: parseIpVs(PROC) };

test('with IPVS and keepalived running: OPEN, members as Octavia reports them', () => {
  expect(lvsReport([dns, sip], up, true)).toEqual({
    listeners: {
      lu: { status: 'OPEN', stats: { tx: 0, rx: 0, conns: 3, totconns: 0, ereq: 0 } },
      ls: { status: 'OPEN', stats: { tx: 0, rx: 0, conns: 0, totconns: 0, ereq: 0 } },
    },
    pools: {
      'pu:lu': { status: 'UP', members: { m1: 'UP', m2: 'DRAIN', m6: 'UP', m3: 'DOWN', m4: 'MAINT' } },
      'ps:ls': { status: 'UP', members: { m5: 'no check' } },
    },
  });
});

test('a pool whose members the checker all took out is DOWN', () => {
  const gone = { ...dns, members: [dns.members[3], dns.members[4]] };
  expect(lvsReport([gone], up, true).pools['pu:lu']).toEqual({ status: 'DOWN', members: { m3: 'DOWN', m4: 'MAINT' } });
});

test('never UP without IPVS, without keepalived\'s LVS, or with a virtual server missing: the listener is DOWN and its pool left out', () => {
  const down = { status: 'DOWN', stats: { tx: 0, rx: 0, conns: 0, totconns: 0, ereq: 0 } };
  expect(lvsReport([dns], { available: false, reason: 'this kernel has no IPVS' }, true)).toEqual({ listeners: { lu: down }, pools: {} });
  expect(lvsReport([dns], up, false)).toEqual({ listeners: { lu: down }, pools: {} });
  expect(lvsReport([{ ...dns, services: [...dns.services, { address: '10.60.0.101', port: 53 }] }], up, true)).toEqual({ listeners: { lu: down }, pools: {} });
  expect(lvsReport([{ ...dns, services: [] }], up, true)).toEqual({ listeners: { lu: down }, pools: {} });
});

test('readIpVs says why when the kernel has no IPVS', () => {
  const enoent = () => { throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }); };
  expect(readIpVs(enoent)).toEqual({ available: false, reason: 'this kernel has no IPVS (/proc/net/ip_vs does not exist)' });
  expect(readIpVs(() => PROC).available).toBe(true);
});

test('the collector puts the LVS listeners and pools into the message beside haproxy\'s', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-lvs-'));
  try {
    const serves = heartbeatPlan([{ id: 'l1' }, { id: 'lu', protocol: 'UDP' }, { id: 'ls', protocol: 'SCTP' }], { 'p1:l1': ['m9'] });
    const make = (report: ReturnType<typeof lvsReport> | null) => new HeartbeatCollector({
      amphoraId: 'amp-1', getApplied: () => ({ generation: 1, configHash: 'h', serves }),
      readStats: async () => ({ showStat: showStat([{ name: 'l1', stot: 1 }], [{ name: 'p1:l1', servers: [{ name: 'm9', status: 'UP' }] }]), showInfo: showInfo(7, 1) }),
      readLvs: async () => report, counters: new CounterStore(path.join(dir, 'c.json'), () => 1), logger: nullLogger(),
    });
    const r = await make(lvsReport([dns], up, true)).collect();
    if (!r.ok) throw new Error('no message');
    expect(r.message.listeners).toMatchObject({ l1: { status: 'OPEN' }, lu: { status: 'OPEN', stats: { conns: 3 } }, ls: { status: 'DOWN' } });
    expect(Object.keys(r.message.pools).sort()).toEqual(['p1:l1', 'pu:lu']);
    const none = await make(lvsReport([dns], { available: false, reason: 'no IPVS' }, true)).collect();
    if (!none.ok) throw new Error('no message');
    expect(none.message.listeners).toMatchObject({ lu: { status: 'DOWN' }, ls: { status: 'DOWN' } });
    expect(Object.keys(none.message.pools)).toEqual(['p1:l1']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('lvsReader: keepalived\'s plan against /proc/net/ip_vs; without IPVS it says why, logged once', async () => {
  let state = { plan: [dns], running: true, ipvs: { available: false, reason: 'this kernel has no IPVS: "modprobe ip_vs" failed' } as { available: boolean; reason: string | null } };
  const view = { keepalived: { lifecycle: { lvs: () => state } } } as unknown as DaemonView;
  const logs: { msg: string; reason?: string }[] = [];
  const r = lvsReader(view, createLogger({ debug: false, write: (l) => void logs.push(JSON.parse(l)) }), () => PROC);
  expect((await r.read())!.listeners.lu.status).toBe('DOWN');
  await r.read();
  expect(r.unavailable()).toBe('this kernel has no IPVS: "modprobe ip_vs" failed');
  expect(logs).toEqual([expect.objectContaining({ msg: 'UDP/SCTP listeners are reported DOWN: LVS cannot serve them', reason: 'this kernel has no IPVS: "modprobe ip_vs" failed' })]);
  state = { ...state, ipvs: { available: true, reason: null } };
  expect((await r.read())!.listeners.lu.status).toBe('OPEN');
  expect(r.unavailable()).toBeNull();
  state = { ...state, plan: [] };
  expect(await r.read()).toBeNull();
});
