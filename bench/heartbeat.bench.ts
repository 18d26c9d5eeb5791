/**
 * Heartbeat costs. Agent: one heartbeat from a captured-format `show stat`
 * (10, 100, 1000, 5000 members): parse, statuses, deltas, persist the counters
 * (fsync), compress and sign, with the CPU time and the datagram size.
 * Controller: datagrams verified, inflated, validated and stored per second.
 * Run: node dist/bench/heartbeat.bench.js [--json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HeartbeatCollector } from '../agent/heartbeat/collector';
import { CounterStore } from '../agent/heartbeat/counters';
import { fitDatagram } from '../agent/heartbeat/fit';
import { nullLogger } from '../agent/log';
import { HeartbeatReceiver } from '../controller/receiver';
import { encodeHeartbeat, HeartbeatMessage } from '../schemas/heartbeat';
import { heartbeatPlan } from '../test/lib/heartbeat-doc';
import { showInfo, synthLoadBalancer } from '../test/lib/heartbeat-show-stat';
import { binaryVersion, printHeader, printResult, runScenario } from './lib/runbench';

const KEY = 'bench-heartbeat-key';
const SIZES: [number, number][] = [
  [10, 2],
  [100, 5],
  [1000, 20],
  // past one datagram: member detail of the largest pools is left out
  [5000, 50],
];

/** CPU milliseconds (user + system) per call of `fn`, over `n` calls. */
async function cpuMsPerOp(fn: () => Promise<unknown>, n: number): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / n;
}

async function main() {
  printHeader('heartbeat', { haproxy: binaryVersion('/usr/sbin/haproxy', ['-v']) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-bench-'));
  const sample: Record<number, HeartbeatMessage> = {};
  try {
    for (const [members, listeners] of SIZES) {
      const lb = synthLoadBalancer(listeners, members);
      const serves = heartbeatPlan(lb.listenerIds.map((id) => ({ id })), Object.fromEntries(lb.poolIds.map((id, i) => [`${id}:${lb.listenerIds[i]}`, lb.memberIds[i]])));
      const collector = new HeartbeatCollector({
        amphoraId: 'b3f0a5c2-0d5e-4c57-9d1e-8a4f5e7c6d21',
        getApplied: () => ({ generation: 42, configHash: 'sha256:0123456789abcdef', serves }),
        readStats: async () => ({ showStat: lb.showStat, showInfo: showInfo(4242, 3600) }),
        counters: new CounterStore(path.join(dir, `counters-${members}.json`), Date.now),
        logger: nullLogger(),
      });
      let bytes = 0;
      let omitted = 0;
      const beat = async () => {
        const r = await collector.collect();
        if (!r.ok) throw new Error(r.skip);
        const f = await fitDatagram(r.message, KEY);
        if (!f.ok) throw new Error(f.message);
        bytes = f.datagram.length;
        omitted = f.omitted.length;
        sample[members] = r.message;
      };
      const cpu = await cpuMsPerOp(beat, 50);
      const fitOnly = sample[members];
      const cpuFit = await cpuMsPerOp(() => fitDatagram(fitOnly, KEY), 50);
      await runScenario({
        name: `agent heartbeat, ${members} members`,
        runs: 50,
        fn: beat,
        extra: () => ({ cpu_ms: cpu.toFixed(3), cpu_ms_compress_sign: cpuFit.toFixed(3), show_stat_bytes: lb.showStat.length, datagram_bytes: bytes, pools_trimmed: omitted }),
      });
    }

    // the receiver on one core: a batch of distinct valid datagrams (seq 1..n) into a fresh receiver
    for (const members of [10, 100, 1000]) {
      const n = 500;
      const dgs = Array.from({ length: n }, (_, i) => encodeHeartbeat({ ...sample[members], seq: i + 1 }, KEY));
      let accepted = 0;
      const r = await runScenario({
        name: `receiver verify+decode, ${members} members x${n}`,
        runs: 10,
        fn: () => {
          const rec = new HeartbeatReceiver({ key: KEY });
          for (const d of dgs) rec.handle(d, '127.0.0.1:1');
          accepted = rec.accepted;
        },
        extra: () => ({ accepted, datagram_bytes: dgs[0].length }),
      });
      printResult({ ...r, name: `  = datagrams/s, ${members} members`, opsPerSec: (n * 1000) / r.medianMs, medianMs: r.medianMs / n, p95Ms: r.p95Ms / n, extra: undefined });
    }
    // dropping garbage is the cheap path a flood takes: a wrong-key datagram
    const bad = encodeHeartbeat({ ...sample[100], seq: 1 }, 'other-key');
    const rec = new HeartbeatReceiver({ key: KEY });
    const r = await runScenario({ name: 'receiver drop bad_hmac x1000', runs: 10, fn: () => { for (let i = 0; i < 1000; i++) rec.handle(bad, 'x'); } });
    printResult({ ...r, name: '  = bad datagrams/s', opsPerSec: 1_000_000 / r.medianMs, medianMs: r.medianMs / 1000, p95Ms: r.p95Ms / 1000, extra: undefined });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
