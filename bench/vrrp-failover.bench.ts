/**
 * ACTIVE_STANDBY failover: how long until a client sending HTTPS requests to
 * the VIP one after another is served again, and how many of its requests
 * fail, when the MASTER's engine dies (keepalived's check notices, the
 * instance goes FAULT) and when the whole MASTER amphora dies (cable cut,
 * everything killed: the BACKUP stops hearing adverts). Two real agents in
 * network namespaces (test/lib/vrrp-pair); after each run the dead side is
 * revived and comes back as BACKUP (nopreempt), so the next run fails over
 * the other way; a random pause before each kill puts it anywhere in
 * keepalived's check period. Needs root.
 *
 * Run after the build: node dist/bench/vrrp-failover.bench.js [--runs N] [--json]
 *   [--vrrp_check_interval S] [--vrrp_fail_count N] [--vrrp_advert_int S]  (Octavia's defaults: 5, 2, 1)
 */
import { spawnSync } from 'node:child_process';
import { binaryVersion, printHeader, printResult } from './lib/runbench';
import { until } from '../test/lib/agent-harness';
import { NetnsLab } from '../test/lib/netns-lab';
import { other, VrrpPair, type Side } from '../test/lib/vrrp-pair';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const worst = (xs: number[]) => Math.max(...xs);

interface Run {
  servedAgainMs: number;
  failed: number;
  /** the new MASTER's transition, after the kill */
  takeoverMs: number;
}

async function oneRun(pair: VrrpPair, kind: 'engine' | 'vm', checkIntervalSec: number): Promise<Run> {
  const m = await pair.settled(120000);
  const b: Side = other(m);
  await pair.served(Date.now(), 20);
  // runs follow each other at a steady pace; a random pause puts the kill anywhere in keepalived's check period
  await new Promise((r) => setTimeout(r, Math.random() * checkIntervalSec * 1000));
  // the agent restarts an engine that dies once within a second, so the VIP stays: a failover needs one that cannot come back
  const killed = kind === 'engine'
    ? await pair.keepKillingEngine(m, async () => (await pair.details(b)).keepalived.vrrp_state === 'MASTER' && pair.holdsVip(b))
    : await pair.killVm(m);
  const out = await until('the client to be served again', () => pair.outage(killed), 120000);
  const st = await until(`${b} to be MASTER`, async () => {
    const k = (await pair.details(b)).keepalived;
    return k.vrrp_state === 'MASTER' ? k : null;
  }, 60000);
  await pair.revive(m);
  await until(`${m} to be BACKUP again`, async () => (await pair.details(m)).keepalived.vrrp_state === 'BACKUP', 120000);
  return { servedAgainMs: out.servedAgainMs, failed: out.failed, takeoverMs: Date.parse(st.last_transition) - killed };
}

async function main(): Promise<void> {
  const runs = arg('runs', 5);
  const vrrp = { vrrp_check_interval: arg('vrrp_check_interval', 5), vrrp_fail_count: arg('vrrp_fail_count', 2), vrrp_advert_int: arg('vrrp_advert_int', 1) };
  printHeader('vrrp failover (ACTIVE_STANDBY, two agents in network namespaces)', {
    // keepalived prints its version on stderr
    keepalived: spawnSync('keepalived', ['--version'], { encoding: 'utf8' }).stderr.split('\n')[0].trim(), haproxy: binaryVersion('haproxy', ['-v']),
    timing: `check ${vrrp.vrrp_check_interval} s x ${vrrp.vrrp_fail_count}, advert ${vrrp.vrrp_advert_int} s`,
  });
  if (!NetnsLab.available()) throw new Error('needs root and ip netns');
  const pair = new VrrpPair({ vrrp, intervalMs: 20 });
  try {
    await pair.start();
    await pair.apply(1);
    await pair.settled(120000);
    await pair.startClient();
    for (const kind of ['engine', 'vm'] as const) {
      const rs: Run[] = [];
      for (let i = 0; i < runs; i++) rs.push(await oneRun(pair, kind, vrrp.vrrp_check_interval));
      const ms = rs.map((r) => r.servedAgainMs);
      const failed = rs.map((r) => r.failed);
      printResult({
        name: kind === 'engine' ? 'MASTER engine dead for good: served again after' : 'MASTER amphora killed: served again after',
        runs, medianMs: median(ms), p95Ms: worst(ms), opsPerSec: 1000 / median(ms),
        extra: {
          worst_ms: worst(ms), failed_median: median(failed), failed_worst: worst(failed),
          takeover_median_ms: median(rs.map((r) => r.takeoverMs)), each_ms: ms.join('/'), each_failed: failed.join('/'),
        },
      });
    }
    const steady = pair.results.filter((r) => r.ok);
    const span = (steady[steady.length - 1].t - steady[0].t) / 1000;
    printResult({
      name: 'client requests (one at a time, new TLS connection each)', runs: pair.results.length,
      medianMs: median(steady.map((r) => r.ms)), p95Ms: [...steady.map((r) => r.ms)].sort((a, b) => a - b)[Math.floor(steady.length * 0.95)],
      opsPerSec: steady.length / span, extra: { failed_total: pair.results.length - steady.length },
    });
  } finally {
    await pair.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
