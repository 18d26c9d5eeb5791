/**
 * Apply cost: median time from PUT /v1/loadbalancer to the new config serving
 * (the agent answers 200 only after the new workers run and every listener is
 * served), for the contract's examples and a 100-listener document: full
 * applies (a listener change), and member-only ones (haproxy: its runtime API;
 * nginx: a reload), next to the floor: the engine's check plus a bare reload
 * of the same files (`haproxy -c` + master-CLI reload; `nginx -t` + SIGHUP
 * until new workers answer the token). Then the agent's resident memory (and, idle after the applies, its anonymous part: RSS also counts the pages of node's binary it touched), idle
 * after start and idle after the applies. haproxy first, then nginx (what
 * nginx refuses of an example is left out of it). The PUTs go over one
 * kept-alive connection, as a controller's HTTP session sends them (Octavia's
 * amphora driver keeps a requests.Session): a TLS handshake per PUT is not
 * the agent's cost.
 * Run after the build: node dist/bench/apply.bench.js [--json] [--engine haproxy|nginx]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHaproxyEngine } from '../agent/engines/haproxy';
import { createNginxEngine } from '../agent/engines/nginx';
import type { Engine } from '../agent/engines/types';
import { checkTargets } from '../agent/health/targets';
import { systemRunner } from '../agent/process-runner';
import { queryUnixSocket } from '../agent/unix-socket';
import { AgentProcess, freePort, makeCerts, tempDir } from '../test/lib/agent-harness';
import { toLoopback } from '../test/lib/agent-docs';
import { EXAMPLES_DIR } from '../test/lib/examples';
import { closeServers, largeDoc, memberServers } from './lib/fixtures';
import { binaryVersion, printHeader, printResult, runScenario } from './lib/runbench';
import { validateDocument } from '../schemas/validate';

const HAPROXY = '/usr/sbin/haproxy';
const NGINX = '/usr/sbin/nginx';
/** each engine's own loopback block */
const NETS = { haproxy: process.env.BENCH_HAPROXY_NET ?? '127.20.9', nginx: process.env.BENCH_NGINX_NET ?? '127.50.9' } as const;
type EngineName = keyof typeof NETS;

/** Anonymous memory (KiB): the process's own, without the pages of node's binary and libraries that RSS counts too. */
function anonKb(pid: number): number {
  const m = /^Anonymous:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** What nginx refuses of an example, left out (PROMETHEUS and SCTP listeners, pool CAs). */
function nginxFitExample(d: any): any {
  d.loadbalancer.listeners = d.loadbalancer.listeners.filter((l: { protocol: string }) => l.protocol !== 'PROMETHEUS' && l.protocol !== 'SCTP');
  for (const p of d.loadbalancer.pools) Object.assign(p, { ca_tls_container_data: null, crl_container_data: null });
  return d;
}

/**
 * How long after an apply the agent's monitors may still change a member's state: each member they check
 * (checkTargets) goes DOWN after `fall` failed checks `delayMs` apart, or UP after `rise`, each given `timeoutMs`.
 */
function healthDecidedMs(d: any): number {
  const v = validateDocument(d);
  if (!v.ok) throw new Error(`the bench's document is invalid: ${JSON.stringify(v.errors.slice(0, 3))}`);
  return Math.max(0, ...checkTargets(v.doc).map((t) => t.delayMs * Math.max(t.fall, t.rise) + t.timeoutMs));
}

/**
 * Resolves once the engine's reload count has not moved for 4 s, and (nginx) once the monitors had the time to
 * decide every member (`decidedMs` since the apply at `appliedAt`): nginx renders a DOWN member `down`, so the
 * files, and the cost of checking them, change when its members go DOWN. The applies and the floor are then
 * measured on the same files.
 */
async function settled(agent: AgentProcess, appliedAt = 0, decidedMs = 0): Promise<void> {
  const reloads = async () => (await agent.api('GET', '/v1/details')).body.engine_process?.reloads as number;
  let last = await reloads();
  let since = Date.now();
  while (Date.now() - since < 4000 || Date.now() - appliedAt < decidedMs) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await reloads();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

async function bench(engineName: EngineName): Promise<void> {
  const NET = NETS[engineName];
  const work = tempDir(`apply-bench-${engineName}-`);
  const agent = new AgentProcess({ ip: `${NET}.1`, certs: makeCerts(path.join(work, 'certs'), `${NET}.1`), engine: engineName }, work);
  // the examples' two members answer (their checks pass: nginx renders every pool with its members)
  const members = await memberServers(NET);
  try {
    await agent.start();
    await new Promise((r) => setTimeout(r, 1000)); // let start-up garbage settle before reading RSS
    const idleStart = rssKb(agent.proc!.pid!);
    const current = path.join(agent.stateDir, 'current');
    const engine: Engine = engineName === 'nginx'
      ? createNginxEngine({ cmd: NGINX, runDir: agent.runDir, prefix: path.join(agent.stateDir, 'nginx'), configDir: current, runner: systemRunner() })
      : createHaproxyEngine({ cmd: HAPROXY, runDir: agent.runDir, runner: systemRunner(), query: queryUnixSocket });
    const mainFile = engineName === 'nginx' ? 'nginx.conf' : 'haproxy.cfg';
    // nginx's TCP listeners have one idle timeout, the shorter of client and member data: its connect timeout always shows
    const timeoutKey = engineName === 'nginx' ? 'timeout_member_connect' : 'timeout_client_data';
    const timeoutBase = engineName === 'nginx' ? 5000 : 50000;
    let generation = 0;

    const examples = EXAMPLES_DIR;
    const docs: [string, () => Promise<any>][] = [];
    for (const file of fs.readdirSync(examples).filter((f) => f.endsWith('.json')).sort()) {
      docs.push([file.replace(/\.json$/, ''), async () => {
        const d = JSON.parse(fs.readFileSync(path.join(examples, file), 'utf8'));
        const ports = await Promise.all(d.loadbalancer.listeners.map(() => freePort(`${NET}.2`)));
        const l = toLoopback(d, 1, `${NET}.2`, ports as number[], [{ host: `${NET}.3`, port: 9001 }, { host: `${NET}.4`, port: 9002 }]);
        return engineName === 'nginx' ? nginxFitExample(l) : l;
      }]);
    }
    docs.push(['large-100-listeners', async () => largeDoc(100, NET)]);

    for (const [docName, make] of docs) {
      const name = `${engineName} ${docName}`;
      const base = await make();
      const runs = 10;
      // the first apply of a document starts its health checks; with nginx the agent re-renders as members
      // change state: measure once every member's state is decided and the engine's reload count holds still
      const first = structuredClone(base);
      first.generation = ++generation;
      // a timeout neither of the measured runs uses: the first of them reloads too
      first.loadbalancer.listeners[0][timeoutKey] = timeoutBase + 2;
      const appliedAt = Date.now();
      await agent.api('PUT', '/v1/loadbalancer', first);
      await settled(agent, appliedAt, engineName === 'nginx' ? healthDecidedMs(first) : 0);
      const put = await runScenario({
        name: `${name}: PUT -> serving (full apply)`, runs,
        // the bytes a controller sends: serializing the document is the client's work, not the agent's
        setup: () => {
          const d = structuredClone(base);
          d.generation = ++generation;
          // a listener timeout that differs from the previous run: a real reload every time
          d.loadbalancer.listeners[0][timeoutKey] = timeoutBase + (generation % 2);
          return Buffer.from(JSON.stringify(d));
        },
        fn: async (body: Buffer) => {
          const r = await agent.api('PUT', '/v1/loadbalancer', undefined, { raw: body, keepAlive: true });
          if (r.status !== 200 || !r.body.reloaded) throw new Error(`PUT answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
        },
      });
      // member-only: a weight (or, where weights are static, the admin state) of the first member of the first pool
      const dynamic = ['ROUND_ROBIN', 'LEAST_CONNECTIONS'].includes(base.loadbalancer.pools[0].lb_algorithm);
      // from the base document itself (the full applies left another timeout behind)
      await agent.api('PUT', '/v1/loadbalancer', { ...structuredClone(base), generation: ++generation });
      const runtime = (await agent.api('GET', '/v1/info')).body.capabilities.memberChanges === 'runtime';
      const members = await runScenario({
        name: `${name}: PUT -> serving (member-only${runtime ? '' : ', reloads'})`, runs,
        setup: () => {
          const d = structuredClone(base);
          d.generation = ++generation;
          if (dynamic) d.loadbalancer.pools[0].members[0].weight = 1 + (generation % 2);
          else d.loadbalancer.pools[0].members[0].admin_state_up = generation % 2 === 0;
          return Buffer.from(JSON.stringify(d));
        },
        fn: async (body: Buffer) => {
          const r = await agent.api('PUT', '/v1/loadbalancer', undefined, { raw: body, keepAlive: true });
          if (r.status !== 200) throw new Error(`PUT answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
          if (runtime && r.body.reloaded) throw new Error(`a member-only change reloaded: ${JSON.stringify((await agent.api('GET', '/v1/details')).body.last_apply)}`);
        },
      });
      const floor = await runScenario({
        name: `${name}: ${engineName === 'nginx' ? 'nginx -t' : 'haproxy -c'} + bare reload`, runs,
        fn: async () => {
          const c = await engine.check(current, mainFile);
          if (!c.ok) throw new Error(c.output);
          await engine.reload();
        },
      });
      printResult({ ...put, name: `${name}: ratio to the floor`, extra: { full: (put.medianMs / floor.medianMs).toFixed(2), member_only: (members.medianMs / floor.medianMs).toFixed(2) } });
    }
    const afterApplies = rssKb(agent.proc!.pid!);
    // idle: the validation worker exits 10 s after its last call, then the daemon collects
    await new Promise((r) => setTimeout(r, 13000));
    printResult({
      name: `${engineName}: agent RSS`, runs: 1, medianMs: 0, p95Ms: 0, opsPerSec: 0,
      extra: {
        idle_after_start_MiB: (idleStart / 1024).toFixed(1),
        right_after_applies_MiB: (afterApplies / 1024).toFixed(1),
        idle_after_applies_MiB: (rssKb(agent.proc!.pid!) / 1024).toFixed(1),
        idle_after_applies_anonymous_MiB: (anonKb(agent.proc!.pid!) / 1024).toFixed(1),
      },
    });
  } finally {
    await agent.cleanup();
    closeServers(members);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  printHeader('apply (PUT -> serving)', { haproxy: binaryVersion(HAPROXY, ['-v']), nginx: binaryVersion(NGINX, ['-v']) });
  const only = process.argv.includes('--engine') ? process.argv[process.argv.indexOf('--engine') + 1] : null;
  for (const e of ['haproxy', 'nginx'] as const) if (!only || only === e) await bench(e);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
