/**
 * Non-local binds for nginx. nginx's `listen` has no transparent option and
 * `nginx -t` binds every address, so a VIP the VM does not hold (a BACKUP
 * amphora's, until keepalived moves it) can be served only with
 * `net.ipv4.ip_nonlocal_bind=1` (and `net.ipv6.ip_nonlocal_bind=1`), as
 * Octavia's amphora sets them. The image sets them at boot
 * (images/elements/amphora-agent/static/etc/sysctl.d); the agent checks them in
 * its network namespace at start and sets what is 0. haproxy needs neither:
 * its binds are `transparent`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../log';

/** The two sysctls, as paths under /proc/sys. */
export const NONLOCAL_SYSCTLS = ['net/ipv4/ip_nonlocal_bind', 'net/ipv6/ip_nonlocal_bind'] as const;

const dotted = (p: string) => p.replace(/\//g, '.');

export interface NonlocalOptions {
  /** /proc/sys, or a test's stand-in */
  procSys?: string;
  /** false: check and report only (`nginx_nonlocal_bind = False`) */
  set: boolean;
  /** writes a sysctl (a seam: root writes through file modes, so a test cannot make one fail otherwise) */
  write?: (file: string, value: string) => void;
  log: Logger;
}

/**
 * Makes both sysctls 1 where allowed; returns null when non-local binds work,
 * else one sentence saying which sysctl is 0 and why the agent left it so (a
 * sysctl that does not exist, IPv6 disabled, is no problem).
 */
export function ensureNonlocalBind(o: NonlocalOptions): string | null {
  const root = o.procSys ?? '/proc/sys';
  const write = o.write ?? ((f: string, v: string) => fs.writeFileSync(f, v));
  const problems: string[] = [];
  for (const s of NONLOCAL_SYSCTLS) {
    const file = path.join(root, s);
    let value: string;
    try {
      value = fs.readFileSync(file, 'utf8').trim();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      problems.push(`${dotted(s)} cannot be read (${(e as Error).message})`);
      continue;
    }
    if (value !== '0') continue;
    if (!o.set) {
      problems.push(`${dotted(s)} is 0 (nginx_nonlocal_bind = False: the agent leaves it)`);
      continue;
    }
    try {
      write(file, '1\n');
      o.log.info('nginx: set a sysctl so that VIPs this VM does not hold yet can be bound', { sysctl: dotted(s), value: 1 });
    } catch (e) {
      problems.push(`${dotted(s)} is 0 and the agent could not set it (${(e as Error).message})`);
    }
  }
  if (!problems.length) return null;
  const why = `${problems.join('; ')}: nginx cannot bind a VIP this VM does not hold (a BACKUP amphora's)`;
  o.log.warn(`nginx: ${why}`, { sysctls: NONLOCAL_SYSCTLS.map(dotted) });
  return why;
}

/** nginx -t's words for an address the VM does not hold. */
const NOT_LOCAL = /bind\(\) to \S+ failed \(99: /;

/** `output` of a failed `nginx -t`, with `why` appended when a bind failed for want of non-local binds. */
export function explainBindFailure(output: string, why: string | null): string {
  return why && NOT_LOCAL.test(output) ? `${output}\n${why}` : output;
}
