/**
 * The heartbeat end to end through the real agent as a suite both engines
 * run (`bin/amphora-agent --config-file FILE`, heartbeat every second to two
 * targets, one IPv4, one IPv6), every datagram decoded by Octavia's own
 * decoder: nothing before a document; then id, ver, growing seq, listener
 * OPEN, pool and members UP, generation and hash as the API reports them,
 * round-robin over the targets; totconns deltas that add up to exactly the
 * connections sent, across a reload and agent restarts; a stopped member
 * going DOWN; silence after DELETE.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { AgentProcess, freePort, makeCerts, tempDir, until, type Certs } from './agent-harness';
import { withReload } from './agent-docs';
import { loadExample } from './examples';
import { OctaviaHeartbeatReceiver, type Heard } from './heartbeat-octavia';

import type { EngineName } from './agent-conformance';

/**
 * `lostWhileAgentDown`: the engine's counts reach the agent only while it
 * runs (nginx logs to the agent's socket), so traffic while no agent listens
 * is not counted; everything else is counted once. `wireBytes`: rx and tx
 * are exactly the bytes on the wire (haproxy counts its internal form).
 */
export function describeHeartbeatE2E(engine: EngineName, NET: string, o: { lostWhileAgentDown?: boolean; wireBytes?: boolean } = {}): void {
  const VIP = `${NET}.2`;
  const KEY = 'e2e-heartbeat-key';
  const AMP = '7c1d2e3f-4a5b-4c6d-8e7f-901234567890';
  const MONITOR_HOST = 'www.example.com';

  /** A member: 200 "ok" (the same bytes from both), and 200 on /healthz only for the monitor's Host (so a passing check proves the header). */
  interface Member {
    port: number;
    server: http.Server | null;
    checks: number;
  }

  async function listenMember(m: Member): Promise<void> {
    const server = http.createServer((req, res) => {
      req.resume();
      if (req.url === '/healthz') {
        const ok = req.headers.host === MONITOR_HOST;
        if (ok) m.checks++;
        res.statusCode = ok ? 200 : 400;
      }
      res.end('ok\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(m.port, `${NET}.3`, () => resolve());
    });
    m.port = (server.address() as net.AddressInfo).port;
    m.server = server;
  }

  async function closeMember(m: Member): Promise<void> {
    const s = m.server;
    m.server = null;
    if (s) await new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); });
  }

  /** One GET on a fresh connection closed by the server; the status and the bytes each way. */
  function rawGet(host: string, port: number): Promise<{ status: number; requestBytes: number; responseBytes: number }> {
    return rawRequest(host, port, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  }

  /** Writes `request` on a fresh connection and reads until the server closes it. */
  function rawRequest(host: string, port: number, request: string): Promise<{ status: number; requestBytes: number; responseBytes: number }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const c = net.connect(port, host, () => c.write(request));
      c.setTimeout(10_000, () => c.destroy(new Error('request timed out')));
      c.on('data', (d: Buffer) => chunks.push(d));
      c.on('error', reject);
      c.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(body.toString('latin1'))?.[1] ?? 0), requestBytes: Buffer.byteLength(request), responseBytes: body.length });
        c.end();
      });
    });
  }

  describe(`heartbeat through the real agent on ${engine}, read by Octavia`, () => {
    let work: string;
    let certs: Certs;
    let agent: AgentProcess;
    let rx: OctaviaHeartbeatReceiver;
    let targets: string[] = [];
    let vipPort: number;
    const members: Member[] = [{ port: 0, server: null, checks: 0 }, { port: 0, server: null, checks: 0 }];
    // index in rx.heard where each agent process's datagrams begin (the round-robin restarts with the process)
    const runStarts: number[] = [];
    // connections, request bytes and response bytes sent through the VIP, as the client saw them on the wire
    const sent = { conns: 0, rx: 0, tx: 0 };
    // bytes haproxy counts per request (all requests and responses are alike), from the first batch
    const perConn = { rx: 0, tx: 0 };

    const example = loadExample('http-basic');
    const LISTENER = example.loadbalancer.listeners[0].listener_id as string;
    const POOL_KEY = `${example.loadbalancer.pools[0].pool_id}:${LISTENER}`;
    const MEMBER_IDS = example.loadbalancer.pools[0].members.map((m: any) => m.member_id as string);

    /** http-basic on loopback with a fast monitor (1 s, one failure marks DOWN). */
    function doc(generation: number, weights: number[]): any {
      const d = loadExample('http-basic');
      d.generation = generation;
      d.loadbalancer.vip_address = VIP;
      const l = d.loadbalancer.listeners[0];
      l.protocol_port = vipPort;
      const p = d.loadbalancer.pools[0];
      p.members.forEach((m: any, i: number) => {
        m.address = `${NET}.3`;
        m.protocol_port = members[i].port;
        m.weight = weights[i];
      });
      Object.assign(p.healthmonitor, { delay: 1, timeout: 1, max_retries: 1, max_retries_down: 1 });
      return d;
    }

    const messages = (): any[] => rx.decoded().map((h) => h.message).filter(Boolean);
    const last = (): any => messages().at(-1);
    /** Sum of one of the listener's delta counters over every message heard. */
    const total = (k: 'totconns' | 'rx' | 'tx' | 'ereq'): number => messages().reduce((n, m) => n + (m.listeners?.[LISTENER]?.stats?.[k] ?? 0), 0);
    const totconns = () => total('totconns');
    /** Waits until `k` more messages than now are decoded. */
    async function moreMessages(k: number): Promise<void> {
      const n = messages().length;
      await until(`${k} more heartbeats`, () => messages().length >= n + k, 10_000);
    }
    /** n requests, each on its own connection (one frontend session each), counting the bytes each way (unless they cannot be counted). */
    async function traffic(n: number, counted = true): Promise<void> {
      for (let i = 0; i < n; i++) {
        const r = await rawGet(VIP, vipPort);
        expect(r.status).toBe(200);
        if (!counted) continue;
        sent.conns++;
        sent.rx += r.requestBytes;
        sent.tx += r.responseBytes;
      }
    }
    /** Waits until the heard totconns reach every connection sent, then two more beats, and checks nothing more came. */
    async function expectAllCountedOnce(): Promise<void> {
      await until(`totconns to reach ${sent.conns}`, () => totconns() >= sent.conns, 15_000);
      await moreMessages(2);
      expect(totconns()).toBe(sent.conns);
      expect({ rx: total('rx'), tx: total('tx') }).toEqual({ rx: sent.conns * perConn.rx, tx: sent.conns * perConn.tx });
    }
    async function startAgent(): Promise<void> {
      runStarts.push(rx.heard.length);
      await agent.start();
    }

    beforeAll(async () => {
      work = tempDir(`hb-e2e-${engine}-`);
      certs = makeCerts(path.join(work, 'certs'), `${NET}.1`);
      for (const m of members) await listenMember(m);
      vipPort = await freePort(VIP);
      rx = new OctaviaHeartbeatReceiver(KEY);
      targets = [(await rx.bind(`${NET}.9`)).target, (await rx.bind('::1')).target];
      agent = new AgentProcess({ ip: `${NET}.1`, certs, engine, amphoraId: AMP, heartbeat: { controllers: targets.join(', '), intervalSec: 1, key: KEY } }, work);
    });

    afterAll(async () => {
      await agent?.cleanup();
      await rx?.close();
      for (const m of members) await closeMember(m);
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    test('no heartbeat before a document is applied', async () => {
      const t0 = Date.now();
      await startAgent();
      // two intervals with the heartbeat loop reporting "no_config"
      await until('two heartbeat intervals without a document', async () => {
        const hb = (await agent.api('GET', '/v1/details')).body.heartbeat;
        return Date.now() - t0 >= 2100 && hb?.last_result === 'no_config' && hb;
      });
      expect(rx.heard).toHaveLength(0);
    });

    test('after a PUT: id, ver, seq, OPEN listener, pool and members UP, generation and hash as the API says, both targets in turn', async () => {
      expect((await agent.api('PUT', '/v1/loadbalancer', doc(1, [1, 3]))).status).toBe(200);
      const lb = (await agent.api('GET', '/v1/loadbalancer')).body;
      await until('a heartbeat with both members UP', () => {
        const m = last();
        return m?.pools?.[POOL_KEY]?.members && MEMBER_IDS.every((id: string) => m.pools[POOL_KEY].members[id] === 'UP');
      });
      await moreMessages(2);
      expect(rx.heard.every((h) => h.error === null)).toBe(true);
      const m = last();
      expect(m).toMatchObject({
        id: AMP, ver: 3, generation: lb.generation, config_hash: lb.hash,
        listeners: { [LISTENER]: { status: 'OPEN' } },
        pools: { [POOL_KEY]: { status: 'UP', members: Object.fromEntries(MEMBER_IDS.map((id: string) => [id, 'UP'])) } },
      });
      expect(Object.keys(m.listeners)).toEqual([LISTENER]);
      expect(Object.keys(m.pools)).toEqual([POOL_KEY]);
      expect(lb.generation).toBe(1);
      // haproxy starts servers UP: that they stay UP needs checks that pass, which they do only with the domain_name as Host
      await until('both members checked with Host www.example.com', () => members.every((b) => b.checks > 0));
      expect(new Set(rx.heard.map((h) => h.target))).toEqual(new Set(targets));
    });

    test('health checks are not frontend sessions; N requests through the VIP add exactly N to totconns', async () => {
      // haproxy counts `stot` on the FRONTEND row per accepted client session; checks come from the backend side
      expect(totconns()).toBe(0);
      await traffic(12);
      await until('12 connections heard', () => totconns() >= 12, 15_000);
      await moreMessages(2);
      expect(totconns()).toBe(12);
      // haproxy 2.6 counts HTTP bytes as its internal (HTX) form: less than the wire, the same for every like request
      perConn.rx = total('rx') / 12;
      perConn.tx = total('tx') / 12;
      expect(Number.isInteger(perConn.rx) && Number.isInteger(perConn.tx)).toBe(true);
      expect(perConn.rx).toBeGreaterThan(0);
      expect(perConn.rx).toBeLessThanOrEqual(sent.rx / 12);
      expect(perConn.tx).toBeGreaterThan(0);
      expect(perConn.tx).toBeLessThanOrEqual(sent.tx / 12);
    // nginx logs the bytes of the wire ($request_length, $bytes_sent)
    if (o.wireBytes) expect(perConn).toEqual({ rx: sent.rx / 12, tx: sent.tx / 12 });
    });

    test('a stopped member goes DOWN within the monitor timing; the pool stays UP', async () => {
      await closeMember(members[1]);
      await until('beta DOWN in a heartbeat', () => last()?.pools?.[POOL_KEY]?.members?.[MEMBER_IDS[1]] === 'DOWN', 10_000);
      expect(last().pools[POOL_KEY]).toEqual({ status: 'UP', members: { [MEMBER_IDS[0]]: 'UP', [MEMBER_IDS[1]]: 'DOWN' } });
      // every request now goes to alpha: still 200, still counted
      await traffic(3);
      await listenMember(members[1]);
      await until('beta UP again', () => last()?.pools?.[POOL_KEY]?.members?.[MEMBER_IDS[1]] === 'UP', 10_000);
    });

    test(`a new generation (weight change, ${engine} reloaded): counts before and after the reload, once each; generation follows`, async () => {
      const worker = (await agent.api('GET', '/v1/details')).body.engine_process?.worker_pid;
      // right after a heartbeat, so these are still only in the old worker's counters when it is replaced:
      // only the checkpoint before the reload can save them
      await moreMessages(1);
      await traffic(5);
      expect((await agent.api('PUT', '/v1/loadbalancer', withReload(doc(2, [2, 1])))).status).toBe(200);
      expect((await agent.api('GET', '/v1/details')).body.engine_process?.worker_pid).not.toBe(worker);
      await traffic(7);
      const lb = (await agent.api('GET', '/v1/loadbalancer')).body;
      expect(lb.generation).toBe(2);
      await until('generation 2 heard', () => last()?.generation === 2);
      expect(last().config_hash).toBe(lb.hash);
      await expectAllCountedOnce();
    });

    test(`an agent restart: seq keeps growing, traffic while it was down is counted once${o.lostWhileAgentDown ? ' (nginx: not at all, it logs to the agent)' : ''}`, async () => {
      const seqBefore = last().seq;
      expect(await agent.stop()).toBe(0);
      // the engine keeps serving while the agent is down
      await traffic(4, !o.lostWhileAgentDown);
      await startAgent();
      await until('a heartbeat from the new agent', () => rx.heard.length > runStarts.at(-1)! && last()?.seq > seqBefore);
      await expectAllCountedOnce();
      expect(last()).toMatchObject({ generation: 2, id: AMP });
    });

    test(`an agent restart that re-renders and reloads ${engine} (as after an upgrade) loses no traffic it counted`, async () => {
      const worker = (await agent.api('GET', '/v1/details')).body.engine_process?.worker_pid;
      // heard just now: what follows is only in the old worker's counters when the agent stops
      await moreMessages(1);
      await traffic(6);
      expect(await agent.stop()).toBe(0);
      // an agent upgrade renders other files: a stale filesHash makes restore apply again instead of adopting
      const stateFile = path.join(agent.stateDir, 'state.json');
      const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
      state.filesHash = 'stale';
      fs.writeFileSync(stateFile, JSON.stringify(state));
      await traffic(2, !o.lostWhileAgentDown);
      await startAgent();
      expect((await agent.api('GET', '/v1/details')).body.engine_process?.worker_pid).not.toBe(worker);
      await expectAllCountedOnce();
    });

    test('a malformed request counts once in ereq (and in totconns)', async () => {
      const ereq = total('ereq');
      const conns = totconns();
      const r = await rawRequest(VIP, vipPort, 'GET / HTTP/1.1\r\nHost: x\r\nbad header line\r\n\r\n');
      expect(r.status).toBe(400);
      await until('the bad request heard', () => total('ereq') > ereq);
      await moreMessages(2);
      expect({ ereq: total('ereq'), totconns: totconns() }).toEqual({ ereq: ereq + 1, totconns: conns + 1 });
    });

    test('DELETE: heartbeats stop', async () => {
      expect((await agent.api('DELETE', '/v1/loadbalancer')).status).toBe(200);
      const hb = await until('the heartbeat loop to see no document', async () => {
        const h = (await agent.api('GET', '/v1/details')).body.heartbeat;
        return h?.last_result === 'no_config' && h;
      });
      expect(hb.last_send_error).toBeNull();
      const n = rx.heard.length;
      const t0 = Date.now();
      await until('two more intervals', async () => Date.now() - t0 >= 2100 && (await agent.api('GET', '/v1/details')).body.heartbeat.last_result === 'no_config');
      expect(rx.heard.length).toBe(n);
    });

    test('every datagram: accepted by Octavia, ver 3, our id, seq one more each time, targets in turn within each agent run', async () => {
      await until('Octavia to answer for every datagram', () => rx.settled());
      const all: Heard[] = rx.heard;
      expect(all.length).toBeGreaterThan(10);
      expect(all.filter((h) => h.error !== null)).toEqual([]);
      for (const h of all) expect(h.message).toMatchObject({ id: AMP, ver: 3 });
      // one more per message, across haproxy reloads and agent restarts alike
      expect(all.map((h) => h.message.seq - all[0].message.seq)).toEqual(all.map((_h, i) => i));
      const runs = runStarts.map((s, i) => all.slice(s, runStarts[i + 1] ?? all.length));
      for (const run of runs) {
        for (let i = 1; i < run.length; i++) expect(run[i].target).not.toBe(run[i - 1].target);
      }
      expect(runs.map((r) => r.length > 0)).toEqual(runStarts.map(() => true));
    });
  });
}
