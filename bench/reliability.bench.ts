/**
 * Faults against the real agent, counted: the engine's master or worker
 * SIGKILLed (time until the VIP serves the applied generation again, from the
 * kill), and the agent SIGKILLed at moments spread over PUTs, then started
 * again (kills run, torn states: API, disk and engine naming different
 * generations, or the VIP not serving). RUNS=5 kills of each kind; engine
 * kills 10 s apart, so each is a first death (later ones are backed off).
 * Run after the build: node dist/bench/reliability.bench.js [--json]
 */
import * as fs from 'node:fs';
import { startBackend, stopBackends, type Backend } from '../test/lib/agent-backends';
import { AgentProcess, alive, freePort, makeCerts, tempDir, until } from '../test/lib/agent-harness';
import { agreedGeneration, expectAgree, generationDoc } from '../test/lib/agreement';
import { binaryVersion, printHeader, printResult } from './lib/runbench';

const NET = '127.90.8';
const RUNS = Number(process.env.RUNS ?? 5);

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;

function line(name: string, ms: number[], extra: Record<string, number | string> = {}): void {
  printResult({ name, runs: ms.length, medianMs: q(ms, 0.5), p95Ms: q(ms, 0.95), opsPerSec: 1000 / Math.max(1, q(ms, 0.5)), extra: { max_ms: Math.round(Math.max(...ms)), ...extra } });
}

async function main() {
  printHeader('reliability (engine and agent killed)', { haproxy: binaryVersion('/usr/sbin/haproxy', ['-v']) });
  const work = tempDir('reliability-bench-');
  let backends: Backend[] = [];
  const agent = new AgentProcess({ ip: `${NET}.1`, certs: makeCerts(`${work}/certs`, `${NET}.1`) }, work);
  try {
    backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
    const vip = { host: `${NET}.2`, port: await freePort(`${NET}.2`) };
    await agent.start();
    let g = 1;
    await agent.api('PUT', '/v1/loadbalancer', generationDoc(g, vip, backends));
    await until('generation 1 to serve', () => expectAgree(agent, vip, g).then(() => true), 20000);

    for (const target of ['master', 'worker'] as const) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const master = agent.masterPid()!;
        const pid = target === 'master' ? master : (await agent.api('GET', '/v1/details')).body.engine_process.worker_pid;
        const t0 = performance.now();
        process.kill(pid, 'SIGKILL');
        await until('the old master to go', () => !alive(master), 10000);
        await until('the applied generation to serve again', async () => agent.masterPid() !== master && (await expectAgree(agent, vip, g)) && true, 30000);
        times.push(performance.now() - t0);
        // past the supervisor's backoff reset (10 s of running): each kill is a first death
        await new Promise((r) => setTimeout(r, 10500));
      }
      const sup = (await agent.api('GET', '/v1/details')).body.engine_supervisor;
      line(`engine ${target} SIGKILL -> VIP serves again`, times, { restarts: sup.restarts });
    }

    const gaps: number[] = [];
    let torn = 0;
    const t0 = performance.now();
    await agent.api('PUT', '/v1/loadbalancer', generationDoc(++g, vip, backends));
    const putMs = performance.now() - t0;
    for (let i = 0; i < RUNS; i++) {
      const put = agent.api('PUT', '/v1/loadbalancer', generationDoc(++g, vip, backends)).catch(() => null);
      await new Promise((r) => setTimeout(r, Math.round((putMs * 1.2 * i) / RUNS)));
      await agent.stop('SIGKILL');
      await put;
      const t1 = performance.now();
      await agent.start();
      const agreed = await until('agreement', async () => (await agreedGeneration(agent, vip)).g, 20000).catch(() => null);
      if (agreed === null) torn++;
      gaps.push(performance.now() - t1);
    }
    line('agent SIGKILL mid-PUT -> restarted, agreed', gaps, { kills: RUNS, torn_states: torn, put_ms: Math.round(putMs) });
  } finally {
    await agent.cleanup();
    await stopBackends(backends);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
