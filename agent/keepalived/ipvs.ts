/**
 * Whether this kernel has IPVS, which keepalived's LVS (UDP and SCTP
 * listeners) needs. keepalived's checker exits, and takes keepalived with it,
 * when it cannot initialise IPVS, so the agent asks first: `/proc/net/ip_vs`
 * exists once the module is loaded; otherwise `modprobe ip_vs` is tried once.
 */
import * as fs from 'node:fs';
import type { ProcessRunner } from '../process-runner';

export interface IpvsStatus {
  available: boolean;
  /** why not, in one sentence; null when available */
  reason: string | null;
}

export interface IpvsDeps {
  runner: ProcessRunner;
  exists?: (file: string) => boolean;
  procFile?: string;
}

/** Probes for IPVS, loading the module when it is not loaded yet. */
export async function probeIpvs(d: IpvsDeps): Promise<IpvsStatus> {
  const exists = d.exists ?? ((f: string) => fs.existsSync(f));
  const proc = d.procFile ?? '/proc/net/ip_vs';
  if (exists(proc)) return { available: true, reason: null };
  let why: string;
  try {
    const r = await d.runner.run('modprobe', ['ip_vs'], { timeoutMs: 10000 });
    why = r.code === 0 ? '"modprobe ip_vs" succeeded but' : `"modprobe ip_vs" failed (${(r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.code}`}) and`;
  } catch (e) {
    why = `"modprobe ip_vs" could not run (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}) and`;
  }
  if (exists(proc)) return { available: true, reason: null };
  return { available: false, reason: `this kernel has no IPVS: ${why} ${proc} does not exist` };
}
