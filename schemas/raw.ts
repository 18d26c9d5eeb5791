/**
 * Helpers for the passes that read the raw input defensively (cross rules,
 * PEM checks): issue paths, and safe views of unknown JSON.
 */
import type { L7Policy, Listener } from './document';
import { ID } from './patterns';

export type IssuePath = (string | number)[];
export interface RawIssue {
  path: IssuePath;
  message: string;
}
export type Obj = Record<string, unknown>;
/**
 * `v` when it is one of `allowed`, else undefined: a rule that depends on a
 * field the field rules refused stays quiet rather than adding a consequence.
 */
export function valid<T extends string | number>(allowed: readonly T[], v: unknown): T | undefined {
  return allowed.includes(v as T) ? (v as T) : undefined;
}
/** True for an integer in [min, max]. */
export const intIn = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
/** Reports a duplicate id of a kind at `parent.field`, with the path of its first use (paths are built only for issues). */
export type Unique = (kind: string, value: unknown, parent: IssuePath, field: string) => void;
/** Listener protocols that carry HTTP the proxy can read. */
export const HTTP_LISTENERS: readonly string[] = ['HTTP', 'TERMINATED_HTTPS'];

/**
 * A validated listener's L7 policies as the agent serves them: an HTTP or
 * TERMINATED_HTTPS listener's. Another listener's, which Octavia's API takes,
 * are validated and not served, as Octavia's amphora ignores them (haproxy in
 * a TCP frontend, LVS).
 */
export function servedPolicies(l: Pick<Listener, 'protocol' | 'l7policies'>): L7Policy[] {
  return HTTP_LISTENERS.includes(l.protocol) ? l.l7policies : [];
}
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
/** The objects of an array (anything else is the field rules' business). */
export const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** A nested object's back-reference (`pool_id`, `listener_id`...) must name its parent when given. */
export function checkParent(o: Obj, field: string, parentId: unknown, path: IssuePath, out: RawIssue[]): void {
  if (o[field] != null && typeof parentId === 'string' && ID.test(parentId) && o[field] !== parentId) {
    out.push({ path: [...path, field], message: `must be null or the id of the enclosing object (${JSON.stringify(parentId)})` });
  }
}

/** `['loadbalancer','listeners',2,'protocol_port']` → `loadbalancer.listeners[2].protocol_port`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += (s ? '.' : '') + String(p);
  }
  return s || '(document)';
}
