/**
 * The `stream` servers of TCP, HTTPS (TLS passthrough) and UDP listeners: one
 * server block per listener, proxying bytes (or datagrams) to its default
 * pool; PROXY pools send the PROXY protocol header (version 1: nginx sends
 * no other). A listener whose pool cannot take a connection closes it, as
 * haproxy does with no server available.
 */
import type { Listener } from '../../schemas';
import { buildUpstreams, poolAvailable, upstreamName } from './build-upstream';
import { poolTlsLines, type FileSink } from './build-tls';
import { formatAddress, formatTime, shorterTimeout } from './helpers';
import { nginxWord } from './quote';
import type { ListenerOptions } from './build-http';
import type { BlockRegistry } from './registry';
import type { BlockView, ServerView } from './view-model';

/** The server block and upstream of one enabled TCP, HTTPS or UDP listener. */
export function buildStreamListener(l: Listener, reg: BlockRegistry, sink: FileSink, o: ListenerOptions): { server: ServerView; upstreams: BlockView[] } {
  const udp = l.protocol === 'UDP';
  const p = l.default_pool_id ? o.pools.get(l.default_pool_id) : undefined;
  const serving = !!p && poolAvailable(p, o.down);
  const lines = o.vips.map((ip) => `listen ${formatAddress(ip, l.protocol_port)}${udp ? ' udp reuseport' : ''};`);
  if (l.allowed_cidrs) lines.push(...l.allowed_cidrs.map((c) => `allow ${nginxWord(c, 'a CIDR')};`), 'deny all;');
  if (l.connection_limit > 0) lines.push(`limit_conn amph_stream_conn ${Math.min(l.connection_limit, o.maxConn)};`);
  lines.push(o.accessLog ?? 'access_log off;');
  // nginx has one idle timeout for both sides; haproxy's client and server timeouts cut at the shorter
  lines.push(`proxy_connect_timeout ${formatTime(l.timeout_member_connect)};`, `proxy_timeout ${formatTime(shorterTimeout(l.timeout_client_data, l.timeout_member_data))};`);
  if (serving && p) {
    if (p.protocol === 'PROXY') lines.push('proxy_protocol on;');
    if (p.tls_enabled) lines.push('proxy_ssl on;', ...poolTlsLines(p, sink));
    lines.push(`proxy_pass ${upstreamName(p.pool_id, l.listener_id)};`);
  } else {
    lines.push('return "";');
  }
  return {
    server: { comment: `listener ${nginxWord(l.listener_id, 'a listener_id')}`, lines, locations: [] },
    upstreams: serving && p ? buildUpstreams(p, l.listener_id, false, o.down, reg) : [],
  };
}
