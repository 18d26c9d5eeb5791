/**
 * The drain before an nginx reload. A worker that shuts down closes its idle
 * keep-alive connections at once (ngx_close_idle_connections), and a client
 * sending its next request on one at that instant gets a reset; nginx 1.22
 * and 1.26 have nothing like haproxy's idle-close-on-response
 * (`keepalive_min_timeout` came in 1.27.4). So before the SIGHUP the agent
 * creates the drain flag (renderers/nginx/context.ts DRAIN_FILE), which makes
 * every HTTP/1 answer `Connection: close`, and polls stub_status until no
 * connection is idle (`Waiting` 0): each idle one has then sent its next
 * request and been answered with close. The flag comes down once the new
 * workers serve and the old ones were told to stop.
 *
 * `Waiting` counts HTTP connections without a request in progress: idle
 * keep-alive ones, but also new ones that have not sent their first request
 * (gone as soon as they do) and idle HTTP/2 connections (which ignore
 * `Connection: close`: nginx ends them with GOAWAY). A client that holds a
 * connection idle and sends nothing would stall every apply, so the wait is
 * bounded by DRAIN_CAP_MS. Stream (TCP, UDP) sessions are not counted. The
 * agent's own status requests say `Connection: close` (httpGetUnix), so they
 * never stay idle.
 */
import * as fs from 'node:fs';
import { STATUS_PATHS } from '../../renderers/nginx/context';
import type { UnixHttpGet } from '../unix-socket';

/** The longest a reload waits for idle keep-alive connections to close before it signals nginx anyway. */
export const DRAIN_CAP_MS = 1000;
/** Between two stub_status polls while draining. */
export const DRAIN_POLL_MS = 5;

/** nginx's stub_status counters. */
export interface StubStatus {
  active: number;
  reading: number;
  writing: number;
  waiting: number;
}

/** Reads stub_status's text; null when it is not stub_status. */
export function parseStubStatus(body: string): StubStatus | null {
  const active = /^Active connections:\s*(\d+)/m.exec(body);
  const rww = /^Reading:\s*(\d+)\s+Writing:\s*(\d+)\s+Waiting:\s*(\d+)/m.exec(body);
  if (!active || !rww) return null;
  return { active: Number(active[1]), reading: Number(rww[1]), writing: Number(rww[2]), waiting: Number(rww[3]) };
}

/** How a drain ended. */
export interface DrainResult {
  /** from the flag's creation to the end of the wait */
  ms: number;
  /** connections still idle when the wait ended (0 unless capped); null when stub_status never answered */
  waiting: number | null;
  /** the wait hit DRAIN_CAP_MS */
  capped: boolean;
}

export interface DrainOptions {
  flagFile: string;
  statusSocket: string;
  statusGet: UnixHttpGet;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  capMs?: number;
}

/** Creates the drain flag and waits until no HTTP connection is idle, or the cap. */
export async function drainIdle(o: DrainOptions): Promise<DrainResult> {
  const cap = o.capMs ?? DRAIN_CAP_MS;
  const start = o.now();
  fs.writeFileSync(o.flagFile, '');
  let waiting: number | null = null;
  for (;;) {
    try {
      const r = await o.statusGet(o.statusSocket, STATUS_PATHS.stub, Math.max(50, cap));
      waiting = r.status === 200 ? parseStubStatus(r.body)?.waiting ?? null : null;
    } catch {
      waiting = null;
    }
    const ms = o.now() - start;
    if (waiting === 0) return { ms, waiting, capped: false };
    if (ms >= cap) return { ms, waiting, capped: true };
    await o.sleep(DRAIN_POLL_MS);
  }
}

/** Removes the drain flag; true when there was one. */
export function lowerDrainFlag(flagFile: string): boolean {
  try {
    fs.unlinkSync(flagFile);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
