/**
 * UDP listeners on a kernel without IPVS, through the real agent: the
 * document applies (its TCP-family listeners serve), keepalived is not
 * started for LVS it cannot run, GET /v1/details says why, and the heartbeat
 * (decoded by Octavia's own decoder) reports the UDP listener DOWN and leaves
 * its pool out: never a fake UP. On a kernel with IPVS this test is skipped
 * (LVS would run; that path is unit-tested against /proc/net/ip_vs text in
 * agent/heartbeat/lvs.test.ts). Loopback block 127.60.1.0/24.
 */
import * as fs from 'node:fs';
import { AgentProcess, freePort, makeCerts, tempDir, until } from '../lib/agent-harness';
import { startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { loopbackExample } from '../lib/agent-docs';
import { loadExample } from '../lib/examples';
import { OctaviaHeartbeatReceiver } from '../lib/heartbeat-octavia';

jest.setTimeout(60000);

const NET = '127.60.1';
const KEY = 'lvs-heartbeat-key';
const noIpvs = !fs.existsSync('/proc/net/ip_vs');
let work: string;
let agent: AgentProcess;
let receiver: OctaviaHeartbeatReceiver;
let backends: Backend[] = [];

beforeAll(async () => {
  if (!noIpvs) return;
  work = tempDir('agent-lvs-');
  receiver = new OctaviaHeartbeatReceiver(KEY);
  const target = await receiver.bind(`${NET}.9`);
  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
  agent = new AgentProcess({ ip: `${NET}.1`, certs: makeCerts(`${work}/certs`, `${NET}.1`), heartbeat: { controllers: target.target, intervalSec: 1, key: KEY } }, work);
  await agent.start();
});

afterAll(async () => {
  if (!noIpvs) return;
  await agent?.cleanup();
  await stopBackends(backends);
  await receiver?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

(noIpvs ? test : test.skip)('without IPVS the UDP listener is DOWN, its pool left out, and GET /v1/details says why', async () => {
  const raw = loadExample('mixed-protocols');
  const ports = await Promise.all(raw.loadbalancer.listeners.map(() => freePort(`${NET}.2`)));
  const d = loopbackExample('mixed-protocols', 1, `${NET}.2`, ports, backends);
  expect((await agent.api('PUT', '/v1/loadbalancer', d)).status).toBe(200);
  const udp = d.loadbalancer.listeners.find((l: { protocol: string }) => l.protocol === 'UDP');
  const tcp = d.loadbalancer.listeners.find((l: { protocol: string }) => l.protocol === 'TCP');
  const msg = await until('a heartbeat of generation 1', () => receiver.decoded().map((h) => h.message).find((m) => m?.generation === 1), 20000);
  expect(msg.listeners[udp.listener_id]).toEqual({ status: 'DOWN', stats: { tx: 0, rx: 0, conns: 0, totconns: 0, ereq: 0 } });
  expect(msg.listeners[tcp.listener_id].status).toBe('OPEN');
  expect(Object.keys(msg.pools).filter((k) => k.endsWith(`:${udp.listener_id}`))).toEqual([]);
  const det = (await agent.api('GET', '/v1/details')).body;
  expect(det.keepalived).toMatchObject({ needed: true, running: false, pid: null, lvs: { available: false, reason: expect.stringMatching(/^this kernel has no IPVS: /) } });
  expect(det.heartbeat.lvs_unavailable).toBe(det.keepalived.lvs.reason);
  expect(agent.lines.filter((l) => l.msg === 'UDP/SCTP listeners are reported DOWN: LVS cannot serve them')).toHaveLength(1);
});
