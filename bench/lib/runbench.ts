/**
 * The benchmark runner: one header (node, engine, CPU, cores), then one line per
 * scenario with runs, median, p95 and ops/s; `--json` prints JSON lines instead.
 */
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';

export interface Scenario {
  name: string;
  runs?: number;
  /** one measured run, given what `setup` made for it; may be async */
  fn: (input?: any) => unknown | Promise<unknown>;
  /** made before each run, outside the timing (for example the request body, which is the client's work) */
  setup?: () => unknown | Promise<unknown>;
  /** extra figures to print after the timing, e.g. { bytes: 1234 } */
  extra?: () => Record<string, number | string>;
}

export interface Result {
  name: string;
  runs: number;
  medianMs: number;
  p95Ms: number;
  opsPerSec: number;
  extra?: Record<string, number | string>;
}

const json = process.argv.includes('--json');

/** Version line of a binary, or "absent". */
export function binaryVersion(cmd: string, args: string[]): string {
  try {
    // nginx -v answers on stderr
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    const out = r.status === 0 ? r.stdout || r.stderr : r.stderr;
    return out ? out.split('\n')[0].trim() : 'absent';
  } catch {
    return 'absent';
  }
}

/** Prints the system header once. */
export function printHeader(title: string, engines: Record<string, string> = {}): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const head = { bench: title, node: process.version, cpu, cores: os.cpus().length, ...engines };
  if (json) console.log(JSON.stringify(head));
  else console.log(`# ${title} | node ${process.version} | ${cpu} | ${os.cpus().length} cores` + Object.entries(engines).map(([k, v]) => ` | ${k}: ${v}`).join(''));
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Runs one scenario (one warm-up, then `runs` timed runs) and prints its line. */
export async function runScenario(s: Scenario): Promise<Result> {
  const runs = s.runs ?? 10;
  await s.fn(await s.setup?.());
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const input = await s.setup?.();
    const t0 = process.hrtime.bigint();
    await s.fn(input);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const medianMs = quantile(times, 0.5);
  const r: Result = { name: s.name, runs, medianMs, p95Ms: quantile(times, 0.95), opsPerSec: 1000 / medianMs, extra: s.extra?.() };
  printResult(r);
  return r;
}

/** Prints one result line (also for figures measured outside runScenario). */
export function printResult(r: Result): void {
  if (json) {
    console.log(JSON.stringify(r));
    return;
  }
  const extra = r.extra ? Object.entries(r.extra).map(([k, v]) => `  ${k}=${v}`).join('') : '';
  console.log(
    `${r.name.padEnd(44)} runs=${String(r.runs).padStart(3)}  median=${r.medianMs.toFixed(2).padStart(9)} ms  p95=${r.p95Ms.toFixed(2).padStart(9)} ms  ops/s=${r.opsPerSec.toFixed(1).padStart(8)}${extra}`,
  );
}
