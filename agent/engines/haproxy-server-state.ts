/**
 * haproxy's server-state file: the agent saves `show servers state` of the
 * running worker just before a reload and the new worker loads it
 * (`load-server-state-from-file global`), so a member its monitor marked DOWN
 * stays DOWN across the reload instead of taking traffic until it fails
 * `max_retries_down` checks again. haproxy would also carry over a server's
 * old address, so only the lines of members the next configuration serves at
 * the same address and port are kept (a removed or moved member starts afresh).
 */
import * as fs from 'node:fs';
import { replaceFile } from '../durable-fs';
import type { ServePlan } from '../../renderers/types';

/** The only format haproxy 2.x writes and reads. */
const FORMAT_VERSION = '1';

/** An IP address in the form haproxy prints it (IPv6 compressed, lower case). */
export function canonicalIp(a: string): string {
  if (!a.includes(':')) return a;
  try {
    return new URL(`http://[${a}]/`).hostname.slice(1, -1);
  } catch {
    return a.toLowerCase();
  }
}

/** srv_admin_state bit set by `disabled` in the config or `set server ... state maint`. */
const ADMIN_FORCED_MAINT = 0x01;

/**
 * `show servers state` output reduced to the members `next` serves unchanged:
 * same address and port, and the weight and admin state the running worker
 * holds equal to what `next` renders (otherwise haproxy would carry a weight
 * or a maintenance set at run time into a configuration that says otherwise).
 */
export function filterServerState(dump: string, next: ServePlan): string {
  const lines = dump.split('\n');
  const header = lines.find((l) => l.startsWith('# '));
  if (lines[0]?.trim() !== FORMAT_VERSION || !header) return `${FORMAT_VERSION}\n`;
  const cols = header.slice(2).trim().split(/\s+/);
  const at = (name: string) => cols.indexOf(name);
  const [be, srv, addr, port, admin, weight] = [at('be_name'), at('srv_name'), at('srv_addr'), at('srv_port'), at('srv_admin_state'), at('srv_uweight')];
  if (Math.min(be, srv, addr, port, admin, weight) < 0) return `${FORMAT_VERSION}\n`;
  const want = new Map<string, string>();
  for (const p of next.pools) for (const m of p.members) want.set(`${p.key} ${m.id}`, `${canonicalIp(m.address)} ${m.port} ${m.weight} ${m.enabled ? 0 : 1}`);
  const kept: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (l === '' || l.startsWith('#')) continue;
    // haproxy separates the fields with one space; anything else is split the slow way (the daemon runs
    // interpreted: with thousands of members this loop is on the apply's path, beside the check)
    let f = l.split(' ');
    if (f.length !== cols.length) f = l.trim().split(/\s+/);
    const expected = want.get(`${f[be]} ${f[srv]}`);
    if (expected === undefined) continue;
    const maint = Number(f[admin]) & ADMIN_FORCED_MAINT ? 1 : 0;
    if (expected === `${canonicalIp(f[addr])} ${f[port]} ${f[weight]} ${maint}`) kept.push(l);
  }
  return [FORMAT_VERSION, header, ...kept, ''].join('\n');
}

/**
 * Writes the state file, or when that fails (a full disk) leaves it empty:
 * member health then starts from the checks, never from stale states of an
 * earlier reload. Carrying health over is worth no failed reload. False when
 * the content could not be written.
 */
export function writeServerStateOrEmpty(file: string, content: string): boolean {
  try {
    // temp + rename, no temp left when it fails: haproxy never reads half of one; in the run dir, no fsync needed
    replaceFile(file, content, 0o600);
    return true;
  } catch {
    try {
      // truncating frees pages and needs none
      fs.truncateSync(file, 0);
    } catch {
      // no file at all: haproxy starts without states
    }
    return false;
  }
}

/** An empty state file when there is none: haproxy warns about a missing one at every check and start. */
export function ensureServerState(file: string): void {
  if (!fs.existsSync(file)) writeServerStateOrEmpty(file, `${FORMAT_VERSION}\n`);
}
