/**
 * Member changes without a reload (real agent, real haproxy, 127.80.5.0/24):
 * 50 member-only applies (weights, disable/enable, add, remove) under
 * continuous traffic, with keep-alive and without: zero failed requests,
 * zero reloads, and traffic follows each change. Then the agent is killed
 * after the runtime commands and before the state commit: restarted, it
 * serves the old document completely, as the state on disk says.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort, until } from '../lib/agent-harness';
import { useAgent } from '../lib/agent-fixture';
import { get } from '../lib/agent-backends';
import { serverStatus, statsCommand } from '../lib/haproxy-harness';

jest.setTimeout(120000);

const NET = '127.80.5';
const VIP = `${NET}.2`;
const f = useAgent(NET, { prefix: 'agent-runtime-members-' });
const servers: http.Server[] = [];
const port: Record<string, number> = {};
let vipPort: number;

function backend(name: string): Promise<void> {
  const s = http.createServer((req, res) => {
    req.resume();
    res.end(`${name}\n`);
  });
  s.keepAliveTimeout = 60000;
  servers.push(s);
  return new Promise((r) => s.listen(0, `${NET}.3`, () => ((port[name] = (s.address() as net.AddressInfo).port), r())));
}

beforeAll(async () => {
  for (const n of ['b0', 'b1', 'b2', 'b3']) await backend(n);
  vipPort = await freePort(VIP);
});

afterAll(() => {
  for (const s of servers) s.closeAllConnections(), s.close();
});

interface M {
  name: string;
  weight?: number;
  up?: boolean;
}
function doc(generation: number, members: M[]) {
  return {
    schema_version: '1.0', generation,
    loadbalancer: {
      loadbalancer_id: 'lb-rt', vip_address: VIP,
      listeners: [{ listener_id: 'l1', protocol: 'HTTP', protocol_port: vipPort, default_pool_id: 'p1' }],
      pools: [{
        pool_id: 'p1', protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN',
        healthmonitor: { healthmonitor_id: 'hm1', type: 'HTTP', delay: 1, timeout: 1, max_retries: 1, max_retries_down: 2, url_path: '/' },
        members: members.map((m) => ({ member_id: `m-${m.name}`, address: `${NET}.3`, protocol_port: port[m.name], weight: m.weight ?? 1, admin_state_up: m.up ?? true })),
      }],
    },
  };
}

/** Who answers `n` sequential requests on new connections. */
async function spread(n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await get(VIP, vipPort);
    const k = r.status === 200 ? r.body.trim() : `status-${r.status}`;
    seen[k] = (seen[k] ?? 0) + 1;
  }
  return seen;
}

/** Requests in a loop until stopped, on a keep-alive agent or on new connections; counts failures. */
function load(keepAlive: boolean) {
  const agentOpt = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 4 }) : false;
  const st = { ok: 0, failed: 0, errors: [] as string[], running: true, paused: false, inflight: 0 };
  const loops = Array.from({ length: 4 }, async () => {
    while (st.running) {
      if (st.paused) {
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      st.inflight++;
      try {
        const r = await get(VIP, vipPort, '/', agentOpt);
        if (r.status === 200) st.ok++;
        else (st.failed++, st.errors.push(`status ${r.status}`));
      } catch (e) {
        st.failed++;
        st.errors.push((e as Error).message);
      } finally {
        st.inflight--;
      }
    }
  });
  return { st, stop: async () => ((st.running = false), await Promise.all(loops), agentOpt && agentOpt.destroy()) };
}

const details = async () => (await f.agent.api('GET', '/v1/details')).body;

test('50 member-only applies under load: no reload, no failed request, traffic follows each change', async () => {
  let g = 1;
  expect((await f.agent.api('PUT', '/v1/loadbalancer', doc(g, [{ name: 'b0' }, { name: 'b1' }]))).body).toMatchObject({ reloaded: true });
  await until('both members to answer', async () => Object.keys(await spread(4)).length === 2);
  const before = await details();
  const keep = load(true);
  const fresh = load(false);
  const steps: M[][] = [
    [{ name: 'b0', weight: 3 }, { name: 'b1' }],
    [{ name: 'b0', weight: 3 }, { name: 'b1', up: false }],
    [{ name: 'b0', weight: 3 }, { name: 'b1' }],
    [{ name: 'b0' }, { name: 'b1' }, { name: 'b2' }],
    [{ name: 'b0' }, { name: 'b2' }],
    [{ name: 'b0' }, { name: 'b2', weight: 0 }, { name: 'b3' }],
    [{ name: 'b0' }, { name: 'b1' }, { name: 'b3', weight: 2 }],
    [{ name: 'b0' }, { name: 'b1' }],
  ];
  // who answers, sampled with the load paused (sharing the round robin, it could hide a member from the samples)
  const checks: Record<number, string[]> = {
    // b1 disabled: nothing reaches it
    1: ['b0'],
    // b2 added: it takes requests at once (started UP, as a configured server starts)
    3: ['b0', 'b1', 'b2'],
    // b1 removed
    4: ['b0', 'b2'],
    // b2 at weight 0 (drain): nothing new reaches it; b3 added
    5: ['b0', 'b3'],
  };
  try {
    for (let i = 0; i < 50; i++) {
      const step = i % steps.length;
      const r = await f.agent.api('PUT', '/v1/loadbalancer', doc(++g, steps[step]));
      expect(r.status).toBe(200);
      if (r.body.reloaded) throw new Error(`apply ${i} reloaded: ${JSON.stringify((await details()).last_apply)}`);
      expect(r.body).toMatchObject({ result: 'applied', reloaded: false });
      if (i < steps.length && checks[step]) {
        keep.st.paused = fresh.st.paused = true;
        await until('the load to pause', () => keep.st.inflight === 0 && fresh.st.inflight === 0);
        expect(Object.keys(await spread(30)).sort()).toEqual(checks[step]);
        keep.st.paused = fresh.st.paused = false;
      }
    }
  } finally {
    await keep.stop();
    await fresh.stop();
  }
  const after = await details();
  expect({ keepAlive: keep.st.failed, fresh: fresh.st.failed, errors: [...keep.st.errors, ...fresh.st.errors].slice(0, 5) }).toEqual({ keepAlive: 0, fresh: 0, errors: [] });
  expect(keep.st.ok + fresh.st.ok).toBeGreaterThan(100);
  // no reload: the same worker, haproxy's own reload count unchanged
  expect(after.engine_process.worker_pid).toBe(before.engine_process.worker_pid);
  expect(after.engine_process.reloads).toBe(before.engine_process.reloads);
  expect(after.counters.runtimeApplies - before.counters.runtimeApplies).toBe(50);
  expect(after.last_apply).toMatchObject({ generation: g, path: 'runtime' });
  // what runs is what the files say: the rendered servers, plus at most removed ones still draining in maintenance
  const cfg = (await f.agent.api('GET', '/v1/config')).body.files['haproxy.cfg'] as string;
  const rendered = [...cfg.matchAll(/^ {4}server (\S+)/gm)].map((m) => m[1]).sort();
  const st = await serverStatus(path.join(f.agent.runDir, 'haproxy.sock'));
  const running = Object.keys(st).filter((k) => k.startsWith('p1:l1/') && !k.endsWith('/BACKEND')).map((k) => k.split('/')[1]);
  expect(running.filter((s) => !st[`p1:l1/${s}`].startsWith('MAINT')).sort()).toEqual(rendered.filter((s) => !st[`p1:l1/${s}`].startsWith('MAINT')));
  expect(rendered.every((s) => running.includes(s))).toBe(true);
});

test('a change beyond members reloads, and says why', async () => {
  const d = doc(100, [{ name: 'b0' }, { name: 'b1' }]);
  (d.loadbalancer.listeners[0] as Record<string, unknown>).timeout_client_data = 20000;
  const r = await f.agent.api('PUT', '/v1/loadbalancer', d);
  expect(r.body).toMatchObject({ reloaded: true });
  expect((await details()).last_apply).toMatchObject({ path: 'reload', reason: expect.stringContaining('loadbalancer.listeners[0].timeout_client_data') });
  // a member added under HTTP_COOKIE persistence needs a reload too (haproxy: no "cookie" on dynamic servers)
  const cookie = doc(101, [{ name: 'b0' }, { name: 'b1' }]);
  (cookie.loadbalancer.pools[0] as Record<string, unknown>).session_persistence = { type: 'HTTP_COOKIE' };
  expect((await f.agent.api('PUT', '/v1/loadbalancer', cookie)).body).toMatchObject({ reloaded: true });
  const more = doc(102, [{ name: 'b0' }, { name: 'b1' }, { name: 'b2' }]);
  (more.loadbalancer.pools[0] as Record<string, unknown>).session_persistence = { type: 'HTTP_COOKIE' };
  expect((await f.agent.api('PUT', '/v1/loadbalancer', more)).body).toMatchObject({ reloaded: true });
  expect((await details()).last_apply.reason).toMatch(/HTTP_COOKIE/);
});

test('killed after the runtime commands, before the commit: restarted, the old document serves completely', async () => {
  expect((await f.agent.api('PUT', '/v1/loadbalancer', doc(200, [{ name: 'b0' }, { name: 'b1', weight: 2 }]))).status).toBe(200);
  await f.agent.stop();
  f.agent.o.env = { AMPHORA_AGENT_KILL_AT: 'runtime-applied' };
  await f.agent.start();
  // generation 201 only through the runtime: b1 disabled, b0 weight 5, b2 added
  await expect(f.agent.api('PUT', '/v1/loadbalancer', doc(201, [{ name: 'b0', weight: 5 }, { name: 'b1', weight: 2, up: false }, { name: 'b2' }]))).rejects.toThrow();
  await until('the agent to die', () => f.agent.proc!.exitCode !== null || f.agent.proc!.signalCode !== null);
  const sock = path.join(f.agent.runDir, 'haproxy.sock');
  // in between, haproxy runs the runtime's view
  expect((await serverStatus(sock))['p1:l1/m-b2']).toBeDefined();
  f.agent.o.env = {};
  await f.agent.start();
  const lb = (await f.agent.api('GET', '/v1/loadbalancer')).body;
  expect(lb.generation).toBe(200);
  const state = JSON.parse(fs.readFileSync(path.join(f.agent.stateDir, 'state.json'), 'utf8'));
  expect(state.generation).toBe(200);
  expect(fs.realpathSync(path.join(f.agent.stateDir, 'current'))).toBe(path.join(f.agent.stateDir, 'configs', state.configDir));
  // what serves is generation 200 exactly: b0 weight 1 and b1 weight 2, both enabled, no b2
  const servers = await statsCommand(sock, 'show servers state p1:l1');
  const rows = servers.split('\n').filter((l) => / p1:l1 /.test(l)).map((l) => l.split(' ')).map((f) => `${f[3]} admin=${f[6]} weight=${f[7]}`).sort();
  expect(rows).toEqual(['m-b0 admin=0 weight=1', 'm-b1 admin=0 weight=2']);
  const seen = await spread(9);
  expect(seen).toEqual({ b0: 3, b1: 6 });
});
