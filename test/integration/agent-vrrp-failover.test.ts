/**
 * ACTIVE_STANDBY for real: two agents in two network namespaces joined by a
 * bridge, each with its own config file, the contract's ACTIVE_STANDBY
 * example applied to both through their APIs, a client in a third namespace
 * sending HTTPS requests to the VIP one after another (test/lib/vrrp-pair).
 * The MASTER's engine dies once (its agent starts it again, the VIP stays),
 * then it cannot come back (killed again and again), then the MASTER's whole
 * amphora dies: the VIP moves and the client is served again; the recovered
 * amphora does not take the VIP back (Octavia's nopreempt). A member change on both moves nothing and fails
 * no request. keepalived's timing is Octavia's default (check every 5 s, 2
 * failures). Figures: `npm run bench:vrrp`. Needs root (netns).
 */
import { NetnsLab } from '../lib/netns-lab';
import { until } from '../lib/agent-harness';
import { other, VrrpPair, type Side } from '../lib/vrrp-pair';

jest.setTimeout(180000);

const can = NetnsLab.available();
const pair = new VrrpPair();
let generation = 1;

beforeAll(async () => {
  if (!can) return;
  await pair.start();
  await pair.apply(generation);
  await pair.settled();
  await pair.startClient();
  await pair.served(Date.now(), 20);
}, 120000);

afterAll(async () => {
  if (can) await pair.stop();
});

/** Polls `ok` for `ms`: it must hold every time (an event that must not happen, e.g. a preemption). */
async function holdsFor(what: string, ms: number, ok: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!(await ok())) throw new Error(`${what} stopped holding`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ka = async (side: Side) => (await pair.details(side)).keepalived;

/** After a failover to `m`: the recovered peer comes back as BACKUP and, for three advert intervals and more, does not take the VIP back. */
async function noFailback(m: Side): Promise<void> {
  const back = other(m);
  const st = await until(`${back} to come back as BACKUP`, async () => ((await ka(back)).vrrp_state === 'BACKUP' ? ka(back) : null), 60000);
  // priority 100 against the MASTER's 90: without nopreempt it would preempt at the first advert it hears (1 s)
  const rest = Date.parse(st.last_transition) + 5000 - Date.now();
  await holdsFor(`${m} as MASTER`, Math.max(rest, 1000), async () => (await ka(m)).vrrp_state === 'MASTER' && (await ka(back)).vrrp_state === 'BACKUP' && pair.holdsVip(m) && !pair.holdsVip(back));
}

const maybe = can ? test : test.skip;

maybe('each agent runs keepalived for the example: one MASTER holds the VIP, the other is BACKUP, as GET /v1/details says', async () => {
  const m = await pair.settled();
  expect(pair.holdsVip(m)).toBe(true);
  expect(pair.holdsVip(other(m))).toBe(false);
  for (const side of ['a', 'b'] as Side[]) {
    expect(await ka(side)).toMatchObject({
      needed: true, running: true, pid: expect.any(Number), mode: { vrrp: true, lvs: false }, vrrp_interface: 'eth1',
      vrrp_state: side === m ? 'MASTER' : 'BACKUP', vrrp_priority: side === 'a' ? 100 : 90,
      last_transition: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), lvs: null, deaths: 0, restarts: 0,
    });
  }
  expect(pair.failures(0)).toEqual([]);
});

maybe('the MASTER\'s engine dies once: its agent starts it again within a second, so the VIP stays where it is', async () => {
  const m = await pair.settled();
  const before = await ka(m);
  const restarts = (await pair.details(m)).engine_supervisor?.restarts ?? 0;
  const killed = pair.killEngine(m);
  await until(`${m}'s agent to start its engine again`, async () => ((await pair.details(m)).engine_supervisor?.restarts ?? 0) > restarts, 10000);
  const out = await until('the client to be served again', async () => pair.outage(killed) ?? (pair.failures(killed).length === 0 && pair.results.some((r) => r.t > killed + 2000 && r.ok) ? { servedAgainMs: 0, failed: 0, requests: 0 } : null), 30000);
  expect(out.servedAgainMs).toBeLessThan(10000);
  // keepalived's check (every 5 s, 2 failures) never saw it dead long enough: no transition
  expect(await ka(m)).toMatchObject({ vrrp_state: 'MASTER', last_transition: before.last_transition });
  expect(pair.holdsVip(m)).toBe(true);
});

maybe('the MASTER\'s engine cannot come back (killed again and again): its keepalived goes FAULT, the BACKUP takes the VIP and the client is served again; the recovered amphora stays BACKUP', async () => {
  const m = await pair.settled();
  const b = other(m);
  const killed = await pair.keepKillingEngine(m, async () => (await ka(b)).vrrp_state === 'MASTER' && pair.holdsVip(b));
  const out = await until('the client to be served again', () => pair.outage(killed), 60000);
  await until(`${b} to be MASTER with the VIP`, async () => (await ka(b)).vrrp_state === 'MASTER' && pair.holdsVip(b), 30000);
  expect((await ka(m)).vrrp_state).toBe('FAULT');
  expect(pair.holdsVip(m)).toBe(false);
  expect(out.failed).toBeGreaterThan(0);
  // a restarted agent restores the engine at once (its supervisor may be in a long backoff by now), and keepalived adopts it
  await pair.revive(m);
  await noFailback(b);
  const recovered = Date.parse((await ka(b)).last_transition);
  expect(pair.failures(recovered + 1000)).toEqual([]);
});

maybe('the MASTER\'s whole amphora dies (cable cut, agent, haproxy and keepalived killed): the VIP moves, the client is served again; back, it stays BACKUP', async () => {
  const m = await pair.settled();
  const b = other(m);
  const killed = await pair.killVm(m);
  await until('the client to be served again', () => pair.outage(killed), 60000);
  await until(`${b} to be MASTER with the VIP`, async () => (await ka(b)).vrrp_state === 'MASTER' && pair.holdsVip(b), 30000);
  await pair.revive(m);
  await noFailback(b);
  expect(await ka(m)).toMatchObject({ running: true, vrrp_state: 'BACKUP' });
});

maybe('a member change on both while one is MASTER: no VRRP transition, keepalived not even reloaded, no failed request', async () => {
  const m = await pair.settled();
  const before = { a: await ka('a'), b: await ka('b') };
  const lines = { a: pair.agents.a.lines.length, b: pair.agents.b.lines.length };
  const t0 = Date.now();
  await pair.apply(++generation, 3);
  const t1 = Date.now();
  await pair.served(t1, 30);
  expect(pair.failures(t0)).toEqual([]);
  for (const side of ['a', 'b'] as Side[]) {
    const now = await ka(side);
    expect(now).toMatchObject({ vrrp_state: side === m ? 'MASTER' : 'BACKUP', last_transition: before[side].last_transition, pid: before[side].pid });
    expect(pair.agents[side].lines.slice(lines[side]).filter((l) => /^keepalived (reloaded|started|stopped)$/.test(l.msg))).toEqual([]);
    expect((await pair.details(side)).applied_generation).toBe(generation);
  }
  // the third member serves: the API pool spreads over the non-backup members
  await until('the new member to answer', () => pair.results.some((r) => r.t >= t1 && r.body === '10.60.0.23:9000'), 30000);
});

maybe('a keepalived.conf change (the BACKUP\'s priority) is a SIGHUP reload: same pid, no transition, no failed request', async () => {
  const m = await pair.settled();
  const b = other(m);
  const before = await ka(b);
  const lines = pair.agents[b].lines.length;
  const t0 = Date.now();
  await pair.apply(++generation, 3, (d, side) => {
    if (side === b) d.amphora.vrrp_priority = 95;
  });
  expect(pair.agents[b].lines.slice(lines).filter((l) => l.msg === 'keepalived reloaded')).toHaveLength(1);
  await pair.served(Date.now(), 20);
  expect(await ka(b)).toMatchObject({ pid: before.pid, vrrp_state: 'BACKUP', vrrp_priority: 95, last_transition: before.last_transition });
  expect((await ka(m)).vrrp_state).toBe('MASTER');
  expect(pair.failures(t0)).toEqual([]);
});

maybe('a keepalived that dies is restarted by the agent, logged and counted in GET /v1/details', async () => {
  const m = await pair.settled();
  const b = other(m);
  const t0 = Date.now();
  const pid = (await ka(b)).pid;
  process.kill(pid, 'SIGKILL');
  // counted once the supervisor's next look sees it run: a start slower than its wait (a loaded machine) is first reported
  // failed, then counted as a restart when it comes up after all
  const st = await until('keepalived to be restarted', async () => {
    const k = await ka(b);
    return k.running && k.pid !== pid && k.vrrp_state === 'BACKUP' && k.restarts === 1 ? k : null;
  }, 30000);
  expect(st).toMatchObject({ deaths: 1, restarts: 1, last_restart_error: null, last_death_at: expect.any(String), last_restart_at: expect.any(String) });
  expect(pair.agents[b].lines.filter((l) => l.msg === 'keepalived died; restarting it')).toHaveLength(1);
  expect((await ka(m)).vrrp_state).toBe('MASTER');
  expect(pair.failures(t0)).toEqual([]);
});

maybe('DELETE on the MASTER stops its keepalived: the peer takes the VIP at once (priority 0 advert)', async () => {
  const m = await pair.settled();
  const b = other(m);
  const t0 = Date.now();
  expect((await pair.agents[m].api('DELETE', '/v1/loadbalancer')).body).toEqual({ deleted: true });
  expect(await ka(m)).toMatchObject({ needed: false, running: false, pid: null, vrrp_state: null });
  await until(`${b} to be MASTER with the VIP`, async () => (await ka(b)).vrrp_state === 'MASTER' && pair.holdsVip(b), 10000);
  expect(pair.holdsVip(m)).toBe(false);
  // a DELETE stops haproxy before keepalived hands the VIP over: requests in between may be refused
  await pair.served(Date.now(), 10);
});
