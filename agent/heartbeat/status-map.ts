/**
 * haproxy's statuses mapped to the heartbeat's words, as Octavia's health
 * daemon reports them, and what its controller understands:
 * members UP / DOWN / DRAIN / MAINT / "no check", pools UP / DOWN, listeners
 * OPEN / FULL / DOWN.
 */
import type { ListenerStatus, MemberStatus, PoolStatus } from '../../schemas/heartbeat/message';
import { counter, StatRow } from '../engines/haproxy-csv';

/**
 * One server row. haproxy writes transitions as "UP 1/3" or "DOWN 1/2" (Octavia's
 * controller reads them by prefix; we send the settled word), "MAINT (via x/y)"
 * when tracking, and "NOLB" when an agent or disable-on-404 stops new traffic.
 * Some haproxy versions show a weight-0 server as UP, which Octavia reports as DRAIN.
 */
export function memberStatus(row: StatRow): MemberStatus | null {
  const s = (row.status ?? '').trim();
  if (s === 'no check') return 'no check';
  if (s.startsWith('MAINT')) return 'MAINT';
  if (s.startsWith('DRAIN') || s.startsWith('NOLB')) return 'DRAIN';
  if (s.startsWith('UP')) return row.weight === '0' ? 'DRAIN' : 'UP';
  if (s.startsWith('DOWN')) return 'DOWN';
  return null;
}

/**
 * A backend: DOWN when it has members and none of them takes traffic (UP or
 * "no check"), which is also what haproxy's own BACKEND row says; an empty
 * backend stays as haproxy reports it (UP), as Octavia's controller expects.
 */
export function poolStatus(backend: StatRow | undefined, members: Record<string, MemberStatus>): PoolStatus {
  const list = Object.values(members);
  if (list.length > 0) return list.some((m) => m === 'UP' || m === 'no check') ? 'UP' : 'DOWN';
  return backend && (backend.status ?? '').startsWith('UP') ? 'UP' : 'DOWN';
}

/** A frontend: DOWN when stopped or paused, FULL at its session limit, OPEN otherwise. */
export function listenerStatus(frontend: StatRow): ListenerStatus {
  const s = (frontend.status ?? '').trim();
  if (s === 'STOP' || s === 'PAUSED' || s === 'DOWN') return 'DOWN';
  const slim = counter(frontend, 'slim');
  if (s === 'FULL' || (slim > 0 && counter(frontend, 'scur') >= slim)) return 'FULL';
  return 'OPEN';
}
