/**
 * Do two amphorae report the same load balancer the same way? The new VM
 * must report the expected `config_hash`, every listener of the old one with
 * the same status, every pool and member with the same status (members are
 * compared only where neither side omitted them for size). Pure.
 */
import type { HeartbeatMessage } from '../schemas/heartbeat';

function sameKeys(what: string, a: Record<string, unknown>, b: Record<string, unknown>, out: string[]): string[] {
  const onlyOld = Object.keys(a).filter((k) => !(k in b));
  const onlyNew = Object.keys(b).filter((k) => !(k in a));
  if (onlyOld.length) out.push(`${what} ${onlyOld.join(', ')} reported by the old VM only`);
  if (onlyNew.length) out.push(`${what} ${onlyNew.join(', ')} reported by the new VM only`);
  return Object.keys(a).filter((k) => k in b);
}

/** Every way the new VM's heartbeat differs from the old one's; empty when they match. */
export function heartbeatDifferences(old: HeartbeatMessage, neu: HeartbeatMessage, expectedHash: string): string[] {
  const out: string[] = [];
  if (old.config_hash !== expectedHash) out.push(`the old VM reports config_hash ${old.config_hash ?? '(none)'}, not ${expectedHash}`);
  if (neu.config_hash !== expectedHash) out.push(`the new VM reports config_hash ${neu.config_hash ?? '(none)'}, not ${expectedHash}`);
  for (const id of sameKeys('listener', old.listeners, neu.listeners, out)) {
    const a = old.listeners[id].status;
    const b = neu.listeners[id].status;
    if (a !== b) out.push(`listener ${id} is ${b} on the new VM, ${a} on the old`);
  }
  for (const key of sameKeys('pool', old.pools, neu.pools, out)) {
    const a = old.pools[key];
    const b = neu.pools[key];
    if (a.status !== b.status) out.push(`pool ${key} is ${b.status} on the new VM, ${a.status} on the old`);
    if (old.members_omitted?.includes(key) || neu.members_omitted?.includes(key)) continue;
    for (const m of sameKeys(`pool ${key} member`, a.members, b.members, out)) {
      if (a.members[m] !== b.members[m]) out.push(`member ${m} of pool ${key} is ${b.members[m]} on the new VM, ${a.members[m]} on the old`);
    }
  }
  return out;
}
