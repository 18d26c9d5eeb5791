/**
 * The heartbeat inside the real daemon (in-process `startDaemon` with the
 * heartbeat companion): nothing is sent before a document is applied; after a
 * PUT, the controller's receiver hears the generation, the config hash, the
 * members and the traffic; a PUT that reloads haproxy (master-worker, a new
 * worker with fresh counters) loses nothing that was heard before it and
 * counts what follows exactly once. Loopback block 127.30.4.0/24.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startHeartbeatCompanion } from '../../agent/heartbeat';
import { parseConfig } from '../../agent/config';
import { startDaemon, type Daemon } from '../../agent/daemon';
import { nullLogger } from '../../agent/log';
import { bindReceiver, BoundReceiver, HeartbeatReceiver } from '../../controller/receiver';
import { get, startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { httpBasicDoc, withReload } from '../lib/agent-docs';
import { AgentClient, AgentUnreachable } from '../../controller/agent-client';
import type { AgentDetails, ErrorAnswer } from '../../controller/agent-answers';
import { alive, freePort, makeCerts, tempDir, until, type Certs } from '../lib/agent-harness';

jest.setTimeout(60_000);

const NET = '127.30.4';
const KEY = 'daemon-heartbeat-key';
const AMP = '0f9d6c1e-1111-4222-8333-444455556666';

describe('heartbeat in the daemon', () => {
  let work: string;
  let certs: Certs;
  let daemon: Daemon | null = null;
  let client: AgentClient;
  let backends: Backend[] = [];
  let bound: BoundReceiver | null = null;
  let vipPort: number;
  const receiver = new HeartbeatReceiver({ key: KEY });
  const doc = (generation: number, weights = [1, 1]) => httpBasicDoc(generation, { host: `${NET}.2`, port: vipPort }, backends, weights);
  const amp = () => receiver.amphora(AMP);
  const listenerId = () => doc(1).loadbalancer.listeners[0].listener_id as string;

  beforeAll(async () => {
    work = tempDir('hb-daemon-');
    certs = makeCerts(path.join(work, 'certs'), `${NET}.1`);
    backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
    vipPort = await freePort(`${NET}.2`);
    bound = await bindReceiver(receiver, `${NET}.9`, 0);
    const config = parseConfig(`[haproxy_amphora]
bind_host = ${NET}.1
bind_port = ${await freePort(`${NET}.1`)}
[health_manager]
controller_ip_port_list = ${NET}.9:${bound.address.port}
heartbeat_interval = 1
heartbeat_key = ${KEY}
[amphora_agent]
agent_server_ca = ${certs.ca}
agent_server_cert = ${certs.agent}
amphora_id = ${AMP}
state_dir = ${path.join(work, 'state')}
`);
    daemon = await startDaemon({ config, log: nullLogger(), env: {}, companions: [startHeartbeatCompanion] });
    const pem = (f: string) => fs.readFileSync(f);
    client = new AgentClient({ host: `${NET}.1`, port: daemon.port, ca: pem(certs.ca), cert: pem(certs.controllerCert), key: pem(certs.controllerKey) });
  });

  afterAll(async () => {
    const pidFile = daemon ? path.join(daemon.config.runDir, 'haproxy.pid') : null;
    await daemon?.stop();
    await bound?.close();
    // stopping the daemon leaves haproxy serving (contract section 5): stop it here
    const pid = pidFile && fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : 0;
    if (pid) {
      process.kill(pid, 'SIGTERM');
      await until('haproxy to exit', () => !alive(pid), 10_000).catch(() => process.kill(pid, 'SIGKILL'));
    }
    await stopBackends(backends);
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('no document applied: no heartbeat, and /v1/details says why', async () => {
    const details = await until('a heartbeat report', async () => {
      const d = (await client.details()).body as AgentDetails;
      return d.heartbeat?.last_result ? d : null;
    });
    expect(details.heartbeat).toMatchObject({ targets: [`${NET}.9:${bound!.address.port}`], last_result: 'no_config', last_send_error: null });
    expect(receiver.accepted).toBe(0);
  });

  test('after a PUT the receiver hears generation, hash, statuses and traffic', async () => {
    expect((await client.putLoadBalancer(doc(1))).status).toBe(200);
    const hash = ((await client.getLoadBalancer()).body as { hash: string }).hash;
    await until('a heartbeat with both members UP', () => {
      const a = amp();
      const pool = a && Object.values(a.message.pools)[0];
      return a?.message.generation === 1 && pool && Object.values(pool.members).filter((s) => s === 'UP').length === 2;
    });
    expect(amp()!.message).toMatchObject({ id: AMP, ver: 3, config_hash: hash, listeners: { [listenerId()]: { status: 'OPEN' } } });
    const base = amp()!.totals[listenerId()]?.totconns ?? 0;
    for (let i = 0; i < 10; i++) expect((await get(`${NET}.2`, vipPort)).status).toBe(200);
    await until('10 connections heard', () => amp()!.totals[listenerId()].totconns >= base + 10);
    expect(amp()!.totals[listenerId()].totconns).toBe(base + 10);
  });

  test('a reload (new worker, counters from zero) loses nothing heard and counts what follows once', async () => {
    const before = amp()!.totals[listenerId()].totconns;
    const worker = ((await client.details()).body as AgentDetails).engine_process.worker_pid;
    expect((await client.putLoadBalancer(withReload(doc(2, [1, 2])))).status).toBe(200);
    expect(((await client.details()).body as AgentDetails).engine_process.worker_pid).not.toBe(worker);
    await until('generation 2 heard', () => amp()!.message.generation === 2);
    for (let i = 0; i < 6; i++) expect((await get(`${NET}.2`, vipPort)).status).toBe(200);
    await until('6 more connections heard', () => amp()!.totals[listenerId()].totconns >= before + 6);
    const seq = amp()!.seq;
    await until('two more heartbeats', () => amp()!.seq >= seq + 2);
    expect(amp()!.totals[listenerId()].totconns).toBe(before + 6);
    expect(receiver.drops).toMatchObject({ bad_hmac: 0, invalid: 0, replay: 0 });
  });

  test('the controller client: validate answers 400 with paths, an untrusted client certificate gets no answer', async () => {
    const bad = doc(3);
    bad.loadbalancer.listeners[0].protocol_port = 0;
    const v = await client.validate(bad);
    expect(v.status).toBe(400);
    expect((v.body as ErrorAnswer).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('protocol_port') })]));
    expect((await client.info()).body).toMatchObject({ amphora_id: AMP });
    const pem = (f: string) => fs.readFileSync(f);
    const rogue = new AgentClient({ host: `${NET}.1`, port: daemon!.port, ca: pem(certs.ca), cert: pem(certs.rogueCert), key: pem(certs.rogueKey), timeoutMs: 5000 });
    await expect(rogue.info()).rejects.toBeInstanceOf(AgentUnreachable);
  });
});
