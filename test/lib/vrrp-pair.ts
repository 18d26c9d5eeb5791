/**
 * An ACTIVE_STANDBY pair in network namespaces: two real agents (a, b), each
 * in its own namespace with `eth1` on a bridge and its own config file, the
 * contract's ACTIVE_STANDBY example applied to both through their APIs, and a
 * third namespace (c) with the backends and a client sending HTTPS requests
 * to the VIP one after another. Shared by the failover test and its bench.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentProcess, alive, makeCerts, tempDir, until } from './agent-harness';
import { toLoopback } from './agent-docs';
import { loadExample } from './examples';
import { NetnsLab, pidsWithArg } from './netns-lab';

export type Side = 'a' | 'b';
export const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

/** Addresses of the test network (inside the namespaces only). */
export const NET = {
  a: '10.60.0.11', b: '10.60.0.12', vip: '10.60.0.100', vip6: 'fd60::100',
  client: '10.60.0.50', backends: ['10.60.0.21', '10.60.0.22', '10.60.0.23'], backendPort: 9000, apiPort: 9443,
};
const AMPHORA_ID: Record<Side, string> = { a: 'd043beb7-f549-5de9-a202-ceaacb007c50', b: '278ddd98-d40f-5449-971d-74bbfbd308a9' };
// the pool that the example's REDIRECT_TO_POOL policy picks for Host api.example.com and /api/ paths (plain HTTP members)
const API_POOL = '389050e1-fd96-5c41-ae3c-aa510972fc41';

export interface ClientResult {
  t: number;
  ms: number;
  ok: boolean;
  status?: number;
  error?: string;
  body?: string;
}

export interface PairOptions {
  /** `[keepalived_vrrp]` keys, e.g. { vrrp_check_interval: 1 } (Octavia's defaults otherwise) */
  vrrp?: Record<string, number>;
  /** ms between the starts of two client requests */
  intervalMs?: number;
}

/**
 * The example for one amphora of the pair, its addresses moved to the test
 * network: the VIPs, the VRRP addresses and peers, allowed_cidrs, the members
 * (on the backends in c). `members` members in the API pool (2 in the example).
 */
export function pairDoc(side: Side, generation: number, members = 2): any {
  const raw = loadExample('terminated-https-l7');
  const d = toLoopback(loadExample('terminated-https-l7'), generation, NET.vip, [443, 80], NET.backends.map((host) => ({ host, port: NET.backendPort })));
  d.loadbalancer.additional_vips = raw.loadbalancer.additional_vips.map((v: any) => ({ ...v, ip_address: NET.vip6 }));
  d.loadbalancer.listeners.forEach((l: any, i: number) => {
    l.allowed_cidrs = raw.loadbalancer.listeners[i].allowed_cidrs ? ['10.60.0.0/24', 'fd60::/64'] : null;
  });
  const pool = d.loadbalancer.pools.find((p: any) => p.pool_id === API_POOL);
  while (pool.members.length < members) {
    const i = pool.members.length;
    pool.members.push({ ...pool.members[0], member_id: `0000000${i}-aaaa-4bbb-8ccc-dddddddddddd`, address: NET.backends[i], backup: false, name: `extra-${i}` });
  }
  d.amphora = {
    ...raw.amphora,
    id: AMPHORA_ID[side],
    role: side === 'a' ? 'MASTER' : 'BACKUP',
    vrrp_address: NET[side],
    // Octavia's ROLE_MASTER_PRIORITY and ROLE_BACKUP_PRIORITY
    vrrp_priority: side === 'a' ? 100 : 90,
    vrrp_peers: [{ id: AMPHORA_ID[other(side)], address: NET[other(side)] }],
  };
  return d;
}

export class VrrpPair {
  readonly lab = new NetnsLab('aaka');
  readonly work = tempDir('aaka-vrrp-');
  readonly agents = {} as Record<Side, AgentProcess>;
  /** every client result, in order */
  readonly results: ClientResult[] = [];
  private client: ChildProcess | null = null;

  constructor(readonly o: PairOptions = {}) {}

  /** Makes the network, the backends, both agents (nothing applied yet) and starts the client. */
  async start(): Promise<void> {
    this.lab.setup([
      { name: 'a', iface: 'eth1', addrs: [`${NET.a}/24`] },
      { name: 'b', iface: 'eth1', addrs: [`${NET.b}/24`] },
      { name: 'c', iface: 'eth0', addrs: [`${NET.client}/24`, ...NET.backends.map((b) => `${b}/24`)] },
    ]);
    await this.lab.helper('c', ['backends', ...NET.backends.map((b) => `${b}:${NET.backendPort}`)]);
    const vrrp = Object.entries(this.o.vrrp ?? {}).map(([k, v]) => `${k} = ${v}`).join('\n');
    for (const side of ['a', 'b'] as Side[]) {
      const dir = path.join(this.work, side);
      fs.mkdirSync(dir);
      const apiSocket = path.join(dir, 'api.sock');
      await this.lab.helper(side, ['forward', apiSocket, NET[side], String(NET.apiPort)]);
      const agent = new AgentProcess({
        ip: NET[side], port: NET.apiPort, netns: this.lab.ns(side), apiSocket, certs: makeCerts(path.join(dir, 'certs'), NET[side]),
        amphoraId: AMPHORA_ID[side], extraConf: `vrrp_interface = eth1\n\n[keepalived_vrrp]\n${vrrp}\n`,
      }, dir);
      this.agents[side] = agent;
      await agent.start();
    }
  }

  /** Starts the client in c: HTTPS to the VIP, Host api.example.com, path /api/ (the example's API pool). */
  async startClient(): Promise<void> {
    this.client = await this.lab.helper('c', ['client', NET.vip, '443', 'api.example.com', '/api/ping', String(this.o.intervalMs ?? 20), '1000'], (line) => {
      this.results.push(JSON.parse(line));
    });
  }

  /** PUTs each side's document; throws unless both answer 200. */
  async apply(generation: number, members = 2, edit?: (d: any, side: Side) => void): Promise<void> {
    await Promise.all((['a', 'b'] as Side[]).map(async (side) => {
      const d = pairDoc(side, generation, members);
      edit?.(d, side);
      const r = await this.agents[side].api('PUT', '/v1/loadbalancer', d);
      if (r.status !== 200) throw new Error(`PUT on ${side}: ${r.status} ${JSON.stringify(r.body)}`);
    }));
  }

  async details(side: Side): Promise<any> {
    return (await this.agents[side].api('GET', '/v1/details')).body;
  }

  /** Waits until exactly one side reports MASTER and the other BACKUP; returns the MASTER. */
  async settled(timeoutMs = 60000): Promise<Side> {
    return until('one MASTER and one BACKUP', async () => {
      const [a, b] = [(await this.details('a')).keepalived?.vrrp_state, (await this.details('b')).keepalived?.vrrp_state];
      if (a === 'MASTER' && b === 'BACKUP') return 'a';
      if (b === 'MASTER' && a === 'BACKUP') return 'b';
      return null;
    }, timeoutMs);
  }

  /** True when the VIP is on a side's eth1. */
  holdsVip(side: Side): boolean {
    try {
      return execFileSync('ip', ['-n', this.lab.ns(side), '-4', 'addr', 'show', 'dev', 'eth1'], { encoding: 'utf8' }).includes(`${NET.vip}/32`);
    } catch {
      return false;
    }
  }

  /** SIGKILLs a side's haproxy: master and workers (every process carrying its run dir). */
  killEngine(side: Side): number {
    const pids = pidsWithArg(path.join(this.agents[side].runDir, 'master.sock'));
    if (!pids.length) throw new Error(`no haproxy of ${side} runs`);
    const t = Date.now();
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    return t;
  }

  /**
   * An engine that cannot come back: its haproxy is SIGKILLed whenever one
   * runs (the agent's supervisor keeps restarting it, with backoff) until
   * `done` says so or `maxMs` passes. Returns the time of the first kill.
   */
  async keepKillingEngine(side: Side, done: () => Promise<boolean>, maxMs = 90000): Promise<number> {
    const first = this.killEngine(side);
    const end = first + maxMs;
    while (Date.now() < end && !(await done())) {
      for (const pid of pidsWithArg(path.join(this.agents[side].runDir, 'master.sock'))) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return first;
  }

  /** The whole amphora dies: its cable is cut, then its agent, haproxy and keepalived are SIGKILLed. */
  async killVm(side: Side): Promise<number> {
    const t = Date.now();
    this.lab.cable(side, false);
    const agent = this.agents[side];
    const pids = [agent.proc?.pid, ...pidsWithArg(path.join(agent.runDir, 'master.sock')), ...pidsWithArg(path.join(agent.runDir, 'keepalived', 'keepalived.pid'))];
    for (const pid of pids) if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await until(`${side}'s processes to die`, () => pids.every((p) => !p || !alive(p)), 10000);
    return t;
  }

  /** Brings a side back: cable in, agent started again (it restores its document: haproxy and keepalived). */
  async revive(side: Side): Promise<void> {
    this.lab.cable(side, true);
    await this.agents[side].stop();
    await this.agents[side].start();
  }

  /**
   * The outage after `since`: time until the first successful response that
   * follows a failed request, and the failed requests before it. Null while
   * the client has not been served again (or nothing failed yet and `needFailure`).
   */
  outage(since: number): { servedAgainMs: number; failed: number; requests: number } | null {
    const after = this.results.filter((r) => r.t >= since);
    const firstFail = after.findIndex((r) => !r.ok);
    if (firstFail < 0) return null;
    const back = after.findIndex((r, i) => i > firstFail && r.ok);
    if (back < 0) return null;
    const ok = after[back];
    return { servedAgainMs: ok.t + ok.ms - since, failed: after.slice(0, back).filter((r) => !r.ok).length, requests: back + 1 };
  }

  /** Failed requests that started in [from, to). */
  failures(from: number, to = Infinity): ClientResult[] {
    return this.results.filter((r) => r.t >= from && r.t < to && !r.ok);
  }

  /** Resolves once `n` more requests have succeeded after `since`. */
  async served(since: number, n = 10, timeoutMs = 30000): Promise<void> {
    await until(`${n} requests served after ${new Date(since).toISOString()}`, () => this.results.filter((r) => r.t >= since && r.ok).length >= n, timeoutMs);
  }

  /** Stops the agents (and their haproxy and keepalived), the helpers, the namespaces; removes the work dir. */
  async stop(): Promise<void> {
    for (const a of Object.values(this.agents)) await a.cleanup().catch(() => undefined);
    await this.lab.destroy();
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}
