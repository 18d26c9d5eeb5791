/**
 * What the nginx renderer needs beyond the shared RenderContext, and the
 * file names the agent's nginx adapter shares with it (one place for both).
 */
import type { Document } from '../../schemas';
import type { RenderContext } from '../types';

/** nginx's own render inputs; every field is optional so a plain RenderContext renders too. */
export interface NginxContext {
  /**
   * Absolute path of `ngx_stream_module.so` for `load_module` (Debian builds
   * the stream module as a module), or null when nginx has it built in.
   * Absent: Debian's path.
   */
  streamModule?: string | null;
  /** false: no access log (the heartbeat then counts no traffic); absent or true: logged to LOG_SOCKET */
  accessLog?: boolean;
  /** ids of members the agent's health monitors hold DOWN (rendered `down`) */
  downMembers?: readonly string[];
}

/** The context renderNginx takes: the shared one, with nginx's fields beside it. */
export type NginxRenderContext = RenderContext & { nginx?: NginxContext };

/** Debian's `libnginx-mod-stream`. */
export const DEBIAN_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

/** The main file; the agent runs `nginx -p PREFIX -c <configdir>/nginx.conf`. */
export const NGINX_MAIN = 'nginx.conf';
/** The token of a rendered set (a plain file beside the main one): the status server answers it once nginx serves that set. */
export const TOKEN_FILE = 'config-token';
/** In the run directory: the master's pid file. */
export const PID_FILE = 'nginx.pid';
/** In the run directory: the private status server (config token, stub_status). */
export const STATUS_SOCKET = 'nginx-status.sock';
/**
 * In the run directory: the drain flag. While it exists every HTTP/1 answer
 * says `Connection: close` (the agent raises it before a reload, so that no
 * keep-alive connection is idle in the old workers when they close idle
 * connections, and lowers it once the new workers serve).
 */
export const DRAIN_FILE = 'nginx-drain';
/** In the run directory: the unix datagram socket nginx sends its access log to (the agent reads it). */
export const LOG_SOCKET = 'nginx-log.sock';
/** The status server's paths. */
export const STATUS_PATHS = { token: '/config-token', stub: '/stub_status' } as const;

/** Listener protocols nginx serves (SCTP and PROMETHEUS are refused by the capability check). */
export const NGINX_PROTOCOLS = ['HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'TCP', 'UDP'] as const;

/** The listeners nginx must serve for `doc`: every enabled one of a protocol it serves, none when the load balancer is disabled. */
export function nginxListeners(doc: Document): Document['loadbalancer']['listeners'] {
  if (!doc.loadbalancer.admin_state_up) return [];
  return doc.loadbalancer.listeners.filter((l) => l.admin_state_up && (NGINX_PROTOCOLS as readonly string[]).includes(l.protocol));
}
