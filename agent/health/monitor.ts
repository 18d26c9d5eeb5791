/**
 * The agent's health monitors (nginx open source has no active checks): each
 * member of `checkTargets(doc)` is probed every `delay`, goes DOWN after
 * `fall` failures in a row and UP after `rise` successes, as haproxy's checks.
 * States survive reloads (the monitor is the agent's) and agent restarts (a
 * small file in the state directory); a member that changes state calls
 * `onChange` (the daemon re-renders, debounced). Changes within FLUSH_MS are
 * told together, once: a network failure can flip thousands of members at
 * the same moment, and writing the state file and a log line for each one
 * blocked the daemon for seconds. Probes, timers and clock are injected.
 */
import * as fs from 'node:fs';
import type { Document } from '../../schemas/document';
import { writeFileAtomic } from '../durable-fs';
import type { Logger } from '../log';
import { probeHttp, probeTcp, probeTlsHello, probeUdp } from './probes';
import { checkTargets, type CheckTarget } from './targets';

export type Probe = (t: CheckTarget) => Promise<boolean>;

/** Health changes within this window are logged, saved and told (`onChange`) together. */
export const FLUSH_MS = 100;
/** Up to this many changes told together get a log line each; more are summed up in one line. */
export const LOG_EACH_MAX = 20;

interface Change {
  member: string;
  pool: string;
  state: 'UP' | 'DOWN';
}

/** The real probes by kind. */
export const realProbe: Probe = (t) => {
  switch (t.kind) {
    case 'http':
    case 'https':
      return probeHttp(t.target, t.kind === 'https', t.http!, t.timeoutMs);
    case 'tls':
      return probeTlsHello(t.target, t.timeoutMs);
    case 'udp':
      return probeUdp(t.target, t.timeoutMs);
    default:
      return probeTcp(t.target, t.timeoutMs);
  }
};

export interface MonitorTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

export interface MonitorOptions {
  /** where states are kept across agent restarts */
  stateFile: string;
  log: Logger;
  onChange: () => void;
  probe?: Probe;
  timers?: MonitorTimers;
}

interface Tracked {
  t: CheckTarget;
  up: boolean;
  successes: number;
  failures: number;
  timer: unknown;
  /** bumped when the target is dropped, so a probe in flight does not reschedule it */
  live: boolean;
}

export class HealthMonitor {
  private readonly tracked = new Map<string, Tracked>();
  private readonly probe: Probe;
  private readonly timers: MonitorTimers;
  private remembered: Record<string, { key: string; up: boolean }> = {};
  private changes: Change[] = [];
  private flushTimer: unknown = null;

  constructor(private readonly o: MonitorOptions) {
    this.probe = o.probe ?? realProbe;
    this.timers = o.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    try {
      const v = JSON.parse(fs.readFileSync(o.stateFile, 'utf8')) as { members?: Record<string, { key: string; up: boolean }> };
      this.remembered = v.members && typeof v.members === 'object' ? v.members : {};
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') o.log.warn('the member health file is unreadable; every member starts UP', { file: o.stateFile, error: e });
    }
  }

  /** Member ids held DOWN now (what the renderer writes `down`). */
  down(): string[] {
    const fromTracked = [...this.tracked.values()].filter((x) => !x.up).map((x) => x.t.memberId);
    // before the document is known (the restore at start) the remembered states stand
    const fromFile = this.tracked.size ? [] : Object.entries(this.remembered).filter(([, v]) => !v.up).map(([id]) => id);
    return [...new Set([...fromTracked, ...fromFile])].sort();
  }

  /** UP or DOWN for a checked member, null for one not checked (no monitor, disabled). */
  state(memberId: string): 'UP' | 'DOWN' | null {
    const x = this.tracked.get(memberId);
    return x ? (x.up ? 'UP' : 'DOWN') : null;
  }

  /** Checks the members of `doc` (null: none); a member whose check is unchanged keeps its state and schedule. */
  update(doc: Document | null): void {
    const next = new Map((doc ? checkTargets(doc) : []).map((t) => [t.memberId, t] as const));
    for (const [id, x] of this.tracked) {
      if (next.get(id)?.key === x.t.key) continue;
      x.live = false;
      this.timers.clearTimeout(x.timer);
      this.tracked.delete(id);
    }
    for (const [id, t] of next) {
      const x = this.tracked.get(id);
      if (x) {
        x.t = t;
        continue;
      }
      const r = this.remembered[id];
      const y: Tracked = { t, up: r && r.key === t.key ? r.up : true, successes: 0, failures: 0, timer: null, live: true };
      this.tracked.set(id, y);
      this.schedule(y, 0);
    }
    this.save();
  }

  /** Stops every check (changes not yet told are saved). */
  stop(): void {
    if (this.flushTimer !== null) {
      this.timers.clearTimeout(this.flushTimer);
      this.flushTimer = null;
      this.changes = [];
      this.save();
    }
    for (const x of this.tracked.values()) {
      x.live = false;
      this.timers.clearTimeout(x.timer);
    }
    this.tracked.clear();
  }

  private schedule(x: Tracked, ms: number): void {
    x.timer = this.timers.setTimeout(() => void this.run(x), ms);
  }

  private async run(x: Tracked): Promise<void> {
    const ok = await this.probe(x.t).catch(() => false);
    if (!x.live) return;
    if (ok) {
      x.failures = 0;
      x.successes++;
    } else {
      x.successes = 0;
      x.failures++;
    }
    const flip = (!x.up && ok && x.successes >= x.t.rise) || (x.up && !ok && x.failures >= x.t.fall);
    if (flip) {
      x.up = !x.up;
      this.changes.push({ member: x.t.memberId, pool: x.t.poolId, state: x.up ? 'UP' : 'DOWN' });
      if (this.flushTimer === null) this.flushTimer = this.timers.setTimeout(() => this.flush(), FLUSH_MS);
    }
    this.schedule(x, x.t.delayMs);
  }

  /** Logs, saves and tells the changes of the last FLUSH_MS at once. */
  private flush(): void {
    this.flushTimer = null;
    const c = this.changes;
    this.changes = [];
    if (!c.length) return;
    if (c.length <= LOG_EACH_MAX) {
      for (const x of c) this.o.log.info('member health changed', { ...x });
    } else {
      const down = c.filter((x) => x.state === 'DOWN').length;
      this.o.log.info('member health changed', { count: c.length, down, up: c.length - down, first: c.slice(0, LOG_EACH_MAX).map((x) => `${x.member} ${x.state}`) });
    }
    this.save();
    this.o.onChange();
  }

  private save(): void {
    const members: Record<string, { key: string; up: boolean }> = {};
    for (const [id, x] of this.tracked) members[id] = { key: x.t.key, up: x.up };
    this.remembered = members;
    try {
      writeFileAtomic(this.o.stateFile, JSON.stringify({ members }));
    } catch (e) {
      this.o.log.error('cannot keep the member health states; an agent restart starts them UP', { file: this.o.stateFile, error: e });
    }
  }
}
