/**
 * Applies member-only changes to the serving haproxy worker through its
 * stats socket (commands from haproxy-runtime.ts), checks the result with
 * `show servers state`, and deletes removed servers once their connections
 * end, as a reload would let an old worker finish them: a removed member is
 * put in maintenance at once, deleted when idle, and its sessions are shut
 * down only after `drainMs` (haproxy's hard-stop-after).
 */
import type { ServePlan } from '../../renderers/types';
import { EngineFailed } from '../errors';
import type { Logger } from '../log';
import type { SocketQuery } from '../unix-socket';
import { chunk } from '../../renderers/haproxy/helpers';
import { Mutex } from '../apply/mutex';
import { checkServersState, commandsFor, fixedPart, weightOf, type MemberOp } from './haproxy-runtime';

export interface MemberApplierOptions {
  query: SocketQuery;
  statsSocket: string;
  /** how long a removed server may keep its connections (hard-stop-after) */
  drainMs: number;
  log?: Logger;
  now?: () => number;
  /** how often a draining server is tried again */
  retryMs?: number;
}

export interface MemberApplier {
  /** Runs the ops on the serving worker and checks its servers against `next`; throws EngineFailed when they differ. */
  apply(ops: MemberOp[], next: ServePlan): Promise<void>;
  /** `backend/server` of removed servers still draining */
  draining(): string[];
  /** The worker changed (reload, start, stop): its servers are gone with it. */
  forget(): void;
}

/** Commands a connection carries at once (`;`-separated, as haproxy's CLI reads them). */
const BATCH = 100;
const DELETED = /^Server deleted\.?$/;

/** Creates the applier over one haproxy's stats socket. */
export function createMemberApplier(o: MemberApplierOptions): MemberApplier {
  const now = o.now ?? (() => Date.now());
  /** removed servers waiting for their connections: `backend/server` -> deadline and the spec they ran with */
  const drain = new Map<string, { until: number; spec: string }>();
  let timer: NodeJS.Timeout | null = null;
  // an apply and a sweep never interleave: a sweep deleting a server an apply takes back (comeBack) would leave it missing
  const serial = new Mutex();

  const send = async (commands: string[]): Promise<string[]> => {
    const problems: string[] = [];
    for (let i = 0; i < commands.length; i += BATCH) {
      const answer = await o.query(o.statsSocket, commands.slice(i, i + BATCH).join('; '), 10000);
      for (const line of answer.split('\n').map((l) => l.trim())) {
        if (line && !/^New server registered\.?$/.test(line) && !DELETED.test(line)) problems.push(line);
      }
    }
    return problems;
  };

  /** Deletes a server in maintenance when it has no connection left (after the deadline, its sessions are shut first). */
  const tryDelete = async (key: string): Promise<boolean> => {
    const late = now() >= (drain.get(key)?.until ?? 0);
    if (late) await o.query(o.statsSocket, `shutdown sessions server ${key}`, 5000).catch(() => '');
    const answer = (await o.query(o.statsSocket, `del server ${key}`, 5000).catch((e: Error) => e.message)).trim();
    if (DELETED.test(answer) || /No such (server|backend)/i.test(answer)) {
      drain.delete(key);
      if (late) o.log?.warn('a removed member kept connections past hard-stop-after; they were shut down', { server: key });
      return true;
    }
    return false;
  };

  /** A member added back while its removal drains: the server is still there, in maintenance; take it back as it is. */
  const comeBack = (op: MemberOp): MemberOp[] => {
    const key = `${op.backend}/${op.server}`;
    const d = op.kind === 'add' ? drain.get(key) : undefined;
    if (op.kind !== 'add' || !d) return [op];
    if (fixedPart(d.spec) !== fixedPart(op.spec)) throw new EngineFailed(`member ${key} comes back changed while its removal still drains its connections`);
    drain.delete(key);
    const back: MemberOp[] = [{ kind: 'weight', backend: op.backend, server: op.server, weight: weightOf(op.spec) }];
    return op.enabled ? [...back, { kind: 'enable', backend: op.backend, server: op.server }] : back;
  };

  const sweep = async () => {
    for (const key of [...drain.keys()]) if (drain.has(key)) await tryDelete(key).catch(() => false);
    if (drain.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  const apply = async (planned: MemberOp[], next: ServePlan): Promise<void> => {
    const ops = planned.flatMap(comeBack);
    const problems = await send(ops.flatMap(commandsFor));
    if (problems.length) throw new EngineFailed(`haproxy refused member changes at run time: ${problems.slice(0, 3).join('; ')}`);
    for (const op of ops) {
      if (op.kind !== 'remove') continue;
      const key = `${op.backend}/${op.server}`;
      drain.set(key, { until: now() + o.drainMs, spec: op.spec });
      if (!(await tryDelete(key))) o.log?.info('a removed member drains its connections before it is deleted', { server: key });
    }
    if (drain.size && !timer) {
      timer = setInterval(() => void serial.run(sweep), o.retryMs ?? 1000);
      timer.unref();
    }
    const touched = [...new Set(ops.map((op) => op.backend))];
    if (!touched.length) return;
    const dump = (await Promise.all(chunk(touched, BATCH).map((b) => o.query(o.statsSocket, b.map((x) => `show servers state ${x}`).join('; '), 10000)))).join('\n');
    const why = checkServersState(dump, next, new Set(drain.keys()), new Set(touched));
    if (why) throw new EngineFailed(`the running servers differ from the document after the runtime changes: ${why}`);
  };

  return {
    apply: (planned, next) => serial.run(() => apply(planned, next)),
    draining: () => [...drain.keys()],
    forget() {
      drain.clear();
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
