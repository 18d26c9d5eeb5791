/**
 * Member health survives a reload (real agent, real haproxy, 127.80.3.0/24):
 * a member its monitor marked DOWN takes no request right after an apply
 * that changed something else (the agent saves `show servers state` before
 * the reload and the new worker loads it), while a member the new document
 * moved to another address, or removed, does not inherit the old state.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort, until } from '../lib/agent-harness';
import { useAgent } from '../lib/agent-fixture';
import { get } from '../lib/agent-backends';
import { serverStatus } from '../lib/haproxy-harness';

jest.setTimeout(90000);

const NET = '127.80.3';
const VIP = `${NET}.2`;
const f = useAgent(NET, { prefix: 'agent-member-health-' });
const servers: http.Server[] = [];
let good: number;
let sick: number;
let other: number;
let ports: number[];

/** A backend answering its name; `sick` ones fail the monitor's /health but would still serve traffic. */
function backend(name: string, sickly: boolean): Promise<number> {
  const s = http.createServer((req, res) => {
    req.resume();
    res.statusCode = sickly && req.url === '/health' ? 503 : 200;
    res.end(`${name}\n`);
  });
  servers.push(s);
  return new Promise((r) => s.listen(0, `${NET}.3`, () => r((s.address() as net.AddressInfo).port)));
}

beforeAll(async () => {
  [good, sick, other] = [await backend('good', false), await backend('sick', true), await backend('other', false)];
  ports = [await freePort(VIP), await freePort(VIP)];
});

afterAll(() => {
  for (const s of servers) s.closeAllConnections(), s.close();
});

const member = (id: string, port: number) => ({ member_id: id, address: `${NET}.3`, protocol_port: port });
/** Listener l1 on pool p1 (`members`), and listener l2 only when `second`. Slow to fall (3 x 2 s): a lost state would show. */
function doc(generation: number, members: object[], second = false) {
  const listener = (id: string, port: number) => ({ listener_id: id, protocol: 'HTTP', protocol_port: port, default_pool_id: 'p1' });
  return {
    schema_version: '1.0', generation,
    loadbalancer: {
      loadbalancer_id: 'lb-health', vip_address: VIP,
      listeners: second ? [listener('l1', ports[0]), listener('l2', ports[1])] : [listener('l1', ports[0])],
      pools: [{
        pool_id: 'p1', protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN', members,
        healthmonitor: { healthmonitor_id: 'hm1', type: 'HTTP', delay: 2, timeout: 1, max_retries: 1, max_retries_down: 3, url_path: '/health' },
      }],
    },
  };
}
const sock = () => path.join(f.agent.runDir, 'haproxy.sock');
const answers = async (n: number) => {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await get(VIP, ports[0]);
    const k = r.status === 200 ? r.body.trim() : `status-${r.status}`;
    seen[k] = (seen[k] ?? 0) + 1;
  }
  return seen;
};

test('a member DOWN by its monitor gets no request right after an unrelated apply', async () => {
  expect((await f.agent.api('PUT', '/v1/loadbalancer', doc(1, [member('m-good', good), member('m-sick', sick)]))).status).toBe(200);
  await until('the monitor to mark m-sick DOWN', async () => (await serverStatus(sock()))['p1:l1/m-sick'] === 'DOWN', 30000);
  const before = (await f.agent.api('GET', '/v1/details')).body.engine_process.worker_pid;
  // another listener: a reload, a new worker
  const r = await f.agent.api('PUT', '/v1/loadbalancer', doc(2, [member('m-good', good), member('m-sick', sick)], true));
  expect(r.body).toMatchObject({ result: 'applied', reloaded: true });
  expect((await f.agent.api('GET', '/v1/details')).body.engine_process.worker_pid).not.toBe(before);
  expect(await answers(30)).toEqual({ good: 30 });
  // the new worker itself holds the member DOWN (and the saved state named it)
  expect((await serverStatus(sock()))['p1:l1/m-sick']).toBe('DOWN');
  expect(fs.readFileSync(path.join(f.agent.runDir, 'server-state'), 'utf8')).toMatch(/ p1:l1 \d+ m-sick /);
});

test('a member moved to another address starts afresh: its old DOWN state is not carried over', async () => {
  expect((await until('m-sick to be DOWN', async () => (await serverStatus(sock()))['p1:l1/m-sick'] === 'DOWN', 30000))).toBe(true);
  const r = await f.agent.api('PUT', '/v1/loadbalancer', doc(3, [member('m-good', good), member('m-sick', other)], true));
  expect(r.body).toMatchObject({ result: 'applied', reloaded: true });
  const seen = await answers(20);
  // round robin over two UP members: the moved one answers at its new address at once
  expect(seen).toEqual({ good: 10, other: 10 });
  expect(fs.readFileSync(path.join(f.agent.runDir, 'server-state'), 'utf8')).not.toMatch(/ m-sick /);
});

test('a removed member leaves the saved state; added back at its sick address it starts afresh', async () => {
  expect((await f.agent.api('PUT', '/v1/loadbalancer', doc(4, [member('m-good', good)], true))).status).toBe(200);
  expect(fs.readFileSync(path.join(f.agent.runDir, 'server-state'), 'utf8')).not.toMatch(/ m-sick /);
  expect((await f.agent.api('PUT', '/v1/loadbalancer', doc(5, [member('m-good', good), member('m-sick', sick)], true))).status).toBe(200);
  expect((await serverStatus(sock()))['p1:l1/m-sick']).toMatch(/^UP/);
});
