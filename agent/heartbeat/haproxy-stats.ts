/**
 * Reads `show stat` and `show info` from haproxy's stats socket
 * (`${runDir}/haproxy.sock`). haproxy answers one command per connection in
 * non-interactive mode and closes, so each command gets its own connection.
 */
import * as net from 'node:net';
import type { EngineStats, StatScope } from './collector';

/** Sends one command and collects the reply until haproxy closes the connection. */
export function queryStatsSocket(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.connect(socketPath);
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer to "${command}" on ${socketPath} in ${timeoutMs} ms`)));
    sock.on('connect', () => sock.write(`${command}\n`));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

// the socket is absent or nobody listens on it: haproxy is not running
const NOT_RUNNING = new Set(['ENOENT', 'ECONNREFUSED']);

/** `show stat` of the frontends only (type 1), far less to read and parse on large configurations. */
export const SHOW_STAT_FRONTENDS = 'show stat -1 1 -1';

/** Both outputs (`show stat` of the frontends only when `scope` says so), or null when haproxy is not running; other failures are thrown. */
export async function readHaproxyStats(socketPath: string, timeoutMs = 5000, scope?: StatScope): Promise<EngineStats | null> {
  try {
    const stat = scope === 'frontends' ? SHOW_STAT_FRONTENDS : 'show stat';
    const [showStat, showInfo] = await Promise.all([queryStatsSocket(socketPath, stat, timeoutMs), queryStatsSocket(socketPath, 'show info', timeoutMs)]);
    return { showStat, showInfo };
  } catch (e) {
    if (NOT_RUNNING.has((e as NodeJS.ErrnoException).code ?? '')) return null;
    throw e;
  }
}
