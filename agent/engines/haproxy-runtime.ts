/**
 * Member changes through haproxy's runtime API instead of a reload. Pure:
 * which changes between two renders are member-only and runtime-safe (and
 * why not, when not), the CLI commands for them, and the check of
 * `show servers state` against what the new render says.
 *
 * What haproxy 2.6 allows (management guide, "add server" / "del server"):
 * dynamic servers only in backends with a dynamic algorithm (roundrobin,
 * leastconn; `source` and `hash` are static, where weights are also fixed),
 * without `cookie` (HTTP_COOKIE persistence); a server is deleted only in
 * maintenance and without connections. TLS towards members names files
 * relative to the config dir, which a running worker cannot resolve: those
 * pools reload too.
 */
import type { RenderOutput, ServedMember, ServePlan } from '../../renderers/types';
import { canonicalIp } from './haproxy-server-state';

export type MemberOp =
  | { kind: 'weight'; backend: string; server: string; weight: number }
  | { kind: 'enable' | 'disable'; backend: string; server: string }
  | { kind: 'add'; backend: string; server: string; spec: string; enabled: boolean; checked: boolean }
  | { kind: 'remove'; backend: string; server: string; spec: string };

export type RuntimePlan = { ok: true; ops: MemberOp[] } | { ok: false; reason: string };

/** The render of an applied or a candidate configuration, as far as the runtime path reads it. */
export type Render = Pick<RenderOutput, 'serves' | 'skeletonHash'>;

const DYNAMIC = new Set(['ROUND_ROBIN', 'LEAST_CONNECTIONS']);
const FILE_KEYWORDS = new Set(['ca-file', 'crt', 'crl-file']);

/** A member's spec without its weight and `disabled`: what must not change for a runtime apply. */
export function fixedPart(spec: string): string {
  return spec.replace(/ weight \d+/, '').replace(/ disabled(?= |$)/, '');
}

/** The runtime commands that take `prev` to `next`, or why a reload is needed. */
export function planMemberChanges(prev: Render, next: Render): RuntimePlan {
  if (!prev.skeletonHash || !next.skeletonHash) return { ok: false, reason: 'the engine applies members only by reloading' };
  if (prev.skeletonHash !== next.skeletonHash) return { ok: false, reason: 'the configuration changes beyond members' };
  const before = new Map(prev.serves.pools.map((p) => [p.key, p] as const));
  const ops: MemberOp[] = [];
  for (const pool of next.serves.pools) {
    const old = before.get(pool.key);
    if (!old) return { ok: false, reason: `pool ${pool.key} is new` };
    const dynamic = DYNAMIC.has(pool.algorithm);
    const was = new Map(old.members.map((m) => [m.id, m] as const));
    const now = new Set(pool.members.map((m) => m.id));
    const need = (ok: boolean, why: string): RuntimePlan | null => (ok ? null : { ok: false, reason: `${pool.key}: ${why}` });
    for (const m of old.members) {
      if (now.has(m.id)) continue;
      const no = need(dynamic, `member ${m.id} removed under ${pool.algorithm} (a static algorithm)`);
      if (no) return no;
      ops.push({ kind: 'remove', backend: pool.key, server: m.id, spec: m.spec });
    }
    for (const m of pool.members) {
      const o = was.get(m.id);
      const no = o ? changes(pool.key, o, m, dynamic, ops) : addition(pool.key, m, dynamic, pool.persistence, ops);
      if (no) return { ok: false, reason: `${pool.key}: ${no}` };
    }
  }
  return { ok: true, ops };
}

function changes(backend: string, o: ServedMember, m: ServedMember, dynamic: boolean, ops: MemberOp[]): string | null {
  if (o.spec === m.spec) return null;
  if (fixedPart(o.spec) !== fixedPart(m.spec)) return `member ${m.id} changes beyond weight and admin state`;
  if (o.weight !== m.weight) {
    if (!dynamic) return `member ${m.id} changes weight under a static algorithm`;
    ops.push({ kind: 'weight', backend, server: m.id, weight: m.weight });
  }
  if (o.enabled !== m.enabled) ops.push({ kind: m.enabled ? 'enable' : 'disable', backend, server: m.id });
  return null;
}

function addition(backend: string, m: ServedMember, dynamic: boolean, persistence: string | null, ops: MemberOp[]): string | null {
  if (!dynamic) return `member ${m.id} added under a static algorithm`;
  if (persistence === 'HTTP_COOKIE') return `member ${m.id} added to a pool with HTTP_COOKIE persistence (haproxy refuses "cookie" on dynamic servers)`;
  const words = m.spec.split(' ');
  if (words.some((w) => FILE_KEYWORDS.has(w))) return `member ${m.id} added to a pool with TLS files towards members`;
  const spec = words.filter((w) => w !== 'disabled').join(' ');
  ops.push({ kind: 'add', backend, server: m.id, spec, enabled: m.enabled, checked: words.includes('check') });
  return null;
}

/** The weight a spec gives. */
export function weightOf(spec: string): number {
  return Number(/ weight (\d+)/.exec(spec)?.[1] ?? 1);
}

/**
 * The CLI commands of one op, in order. An added server starts in
 * maintenance with its check off; it is brought UP as a configured server
 * starts (then its monitor decides), and enabled when the document says so.
 * A removed one goes to maintenance first; deleting it is the caller's (it
 * waits for its connections to end).
 */
export function commandsFor(op: MemberOp): string[] {
  const s = `${op.backend}/${op.server}`;
  switch (op.kind) {
    case 'weight':
      return [`set server ${s} weight ${op.weight}`];
    case 'enable':
      return [`set server ${s} state ready`];
    case 'disable':
      return [`set server ${s} state maint`];
    case 'remove':
      return [`set server ${s} state maint`];
    case 'add':
      return [
        `add server ${s} ${op.spec}`,
        ...(op.checked ? [`set server ${s} health up`, `enable health ${s}`] : []),
        ...(op.enabled ? [`set server ${s} state ready`] : []),
      ];
  }
}

/** Answers of haproxy's CLI that mean a command failed (successful ones are empty or say so). */
export function cliError(answer: string): string | null {
  const a = answer.trim();
  if (a === '' || /^New server registered\.?$/.test(a) || /^Server deleted\.?$/.test(a)) return null;
  return a;
}

interface ServerRow {
  addr: string;
  port: string;
  weight: number;
  maint: boolean;
}

/** `show servers state` rows (of one or more `show servers state` answers) by backend, then server. */
export function parseServersState(dump: string): Map<string, Map<string, ServerRow>> {
  const lines = dump.split('\n');
  const header = lines.find((l) => l.startsWith('# '));
  const out = new Map<string, Map<string, ServerRow>>();
  if (!header) return out;
  const cols = header.slice(2).trim().split(/\s+/);
  const at = (n: string) => cols.indexOf(n);
  const [be, srv, addr, port, admin, weight] = ['be_name', 'srv_name', 'srv_addr', 'srv_port', 'srv_admin_state', 'srv_uweight'].map(at);
  for (const l of lines) {
    const f = l.trim().split(/\s+/);
    if (l.startsWith('#') || f.length < cols.length) continue;
    let servers = out.get(f[be]);
    if (!servers) out.set(f[be], (servers = new Map()));
    servers.set(f[srv], { addr: canonicalIp(f[addr]), port: f[port], weight: Number(f[weight]), maint: (Number(f[admin]) & 0x01) !== 0 });
  }
  return out;
}

/**
 * Null when the running servers of the `backends` of `next` (all when not
 * given) are what it renders (set of servers, address, port, weight,
 * maintenance), else the first difference. `draining` servers
 * (`backend/server`, removed, waiting for their connections) may remain, in
 * maintenance.
 */
export function checkServersState(dump: string, next: ServePlan, draining: ReadonlySet<string>, backends?: ReadonlySet<string>): string | null {
  const rows = parseServersState(dump);
  for (const pool of next.pools) {
    if (backends && !backends.has(pool.key)) continue;
    const running = rows.get(pool.key) ?? new Map<string, ServerRow>();
    const expected = new Set<string>();
    for (const m of pool.members) {
      const key = `${pool.key}/${m.id}`;
      expected.add(m.id);
      const r = running.get(m.id);
      if (!r) return `${key} is not running`;
      if (r.addr !== canonicalIp(m.address) || r.port !== String(m.port)) return `${key} runs on ${r.addr}:${r.port}, not ${m.address}:${m.port}`;
      if (r.weight !== m.weight) return `${key} has weight ${r.weight}, not ${m.weight}`;
      if (r.maint === m.enabled) return `${key} is ${r.maint ? 'in maintenance' : 'enabled'}, not ${m.enabled ? 'enabled' : 'disabled'}`;
    }
    for (const [name, r] of running) {
      const key = `${pool.key}/${name}`;
      if (!expected.has(name) && (!draining.has(key) || !r.maint)) return `${key} runs but is not in the document`;
    }
  }
  return null;
}
