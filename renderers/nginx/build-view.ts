/**
 * Builds the nginx view model of a whole document: the main context (module,
 * pid, workers, drain bound), `http` for HTTP and TERMINATED_HTTPS listeners
 * plus the agent's private status server, `stream` for TCP, HTTPS
 * passthrough and UDP listeners.
 */
import type { Document, Listener } from '../../schemas';
import { DEFAULT_HARD_STOP_AFTER_SEC, vipAddresses } from '../haproxy/build-view';
import { buildHttpListener, type ListenerOptions } from './build-http';
import { buildStreamListener } from './build-stream';
import type { FileSink } from './build-tls';
import { DEBIAN_STREAM_MODULE, DRAIN_FILE, LOG_SOCKET, nginxListeners, PID_FILE, STATUS_SOCKET, type NginxRenderContext } from './context';
import { formatTime } from './helpers';
import { nginxWord } from './quote';
import { BlockRegistry } from './registry';
import type { BlockView, ContextView, NginxView } from './view-model';

/** fds nginx needs besides connections: log and status sockets, pipes, epoll, files being read. */
export const FD_RESERVE = 200;
/** Upper bound of worker_connections whatever the fd limit: buffers of a small VM's memory. */
export const MAX_WORKER_CONNECTIONS = 100000;

/** Connections one worker may hold within `fdLimit`: each client and each member connection is one fd, each bound socket one. */
export function workerConnections(fdLimit: number, binds: number): number {
  return Math.max(64, Math.min(MAX_WORKER_CONNECTIONS, fdLimit - FD_RESERVE - binds));
}

const isHttp = (l: Listener) => l.protocol === 'HTTP' || l.protocol === 'TERMINATED_HTTPS';

/** A power of two at least `n` and at least `min` (nginx's hash sizes). */
const hashSize = (n: number, min: number) => 2 ** Math.ceil(Math.log2(Math.max(n, min)));

function httpLines(reg: BlockRegistry, serverNames: number, log: boolean): string[] {
  return [
    'server_tokens off;',
    'access_log off;',
    ...(log ? ["log_format amph_http 'h $server_port $request_length $bytes_sent $connection_requests $status';"] : []),
    // as haproxy: no body size limit, headers forwarded whatever their names, bodies and answers streamed
    'client_max_body_size 0;',
    'ignore_invalid_headers off;',
    'proxy_http_version 1.1;',
    'proxy_buffering off;',
    'proxy_request_buffering off;',
    'proxy_pass_header Server;',
    'proxy_pass_header Date;',
    'limit_conn_zone $server_port zone=amph_http_conn:1m;',
    // temporary files under nginx's prefix (the agent's state directory), not the distribution's paths
    'client_body_temp_path client_body_temp;', 'proxy_temp_path proxy_temp;', 'fastcgi_temp_path fastcgi_temp;', 'uwsgi_temp_path uwsgi_temp;', 'scgi_temp_path scgi_temp;',
    `variables_hash_max_size ${hashSize(reg.variableCount() * 2, 1024)};`, 'variables_hash_bucket_size 128;',
    // each map has its own hash, and nginx allocates and clears max_size entries for every one it builds:
    // sized by the largest map, not by all of them (1,000 listeners' maps would cost seconds in nginx -t)
    `map_hash_max_size ${hashSize(reg.blocks.reduce((n, b) => Math.max(n, b.lines.length), 0) * 2, 2048)};`, 'map_hash_bucket_size 128;',
    `server_names_hash_max_size ${hashSize(serverNames * 2, 512)};`, 'server_names_hash_bucket_size 256;',
  ];
}

function streamLines(reg: BlockRegistry, log: boolean): string[] {
  return [
    ...(log ? ["log_format amph_stream 's $protocol $server_port $bytes_received $bytes_sent $status';"] : []),
    'limit_conn_zone $protocol$server_port zone=amph_stream_conn:1m;',
    `variables_hash_max_size ${hashSize(reg.variableCount() * 2, 1024)};`, 'variables_hash_bucket_size 128;',
  ];
}

/**
 * Puts every upstream of a context in one shared memory zone: without it each
 * worker balances on its own (round robin and least connections drift apart
 * from haproxy's, which shares them). Sized by servers; nginx makes a new
 * zone at each reload, so old workers keep theirs.
 */
export function shareZone(upstreams: BlockView[], name: string): void {
  const servers = upstreams.reduce((n, u) => n + u.lines.filter((x) => x.startsWith('server ')).length, 0);
  const kib = 64 + Math.ceil((servers * 1024 + upstreams.length * 256) / 1024);
  for (const u of upstreams) u.lines.unshift(`zone ${name} ${kib}k;`);
}

/** The view model of nginx.conf (without its token); TLS files are added to `sink`. */
export function buildNginxView(doc: Document, ctx: NginxRenderContext, sink: FileSink): Omit<NginxView, 'token'> {
  const runDir = nginxWord(ctx.runDir.replace(/\/+$/, ''), 'the run directory');
  const log = ctx.nginx?.accessLog !== false;
  const vips = vipAddresses(doc);
  const served = nginxListeners(doc);
  const maxConn = workerConnections(ctx.fdLimit, served.length * vips.length);
  const o: ListenerOptions = {
    vips,
    pools: new Map(doc.loadbalancer.pools.map((p) => [p.pool_id, p] as const)),
    down: new Set(ctx.nginx?.downMembers ?? []),
    accessLog: null,
    maxConn,
    drainFile: `${runDir}/${DRAIN_FILE}`,
  };
  const logTo = `syslog:server=unix:${runDir}/${LOG_SOCKET},nohostname,tag=amphora`;
  const httpReg = new BlockRegistry();
  const http: ContextView = { lines: [], blocks: [], servers: [] };
  const streamReg = new BlockRegistry();
  const stream: ContextView = { lines: [], blocks: [], servers: [] };
  for (const l of served) {
    if (isHttp(l)) {
      const r = buildHttpListener(l, httpReg, sink, { ...o, accessLog: log ? `access_log ${logTo} amph_http;` : null });
      http.servers.push(...r.servers);
      http.blocks.push(...r.upstreams);
    } else {
      const r = buildStreamListener(l, streamReg, sink, { ...o, accessLog: log ? `access_log ${logTo} amph_stream;` : null });
      stream.servers.push(r.server);
      stream.blocks.push(...r.upstreams);
    }
  }
  shareZone(http.blocks, 'amph_http_upstreams');
  shareZone(stream.blocks, 'amph_stream_upstreams');
  // maps and geo blocks first: nginx reads them before the upstreams and servers that use them
  http.blocks.unshift(...httpReg.blocks);
  stream.blocks.unshift(...streamReg.blocks);
  const names = http.servers.flatMap((v) => v.lines.filter((x) => x.startsWith('server_name '))).reduce((n, x) => n + x.split(' ').length - 1, 0);
  http.lines = httpLines(httpReg, names, log);
  stream.lines = streamLines(streamReg, log);
  const hasStream = stream.servers.length > 0;
  const module = ctx.nginx?.streamModule === undefined ? DEBIAN_STREAM_MODULE : ctx.nginx.streamModule;
  return {
    loadbalancerId: nginxWord(doc.loadbalancer.loadbalancer_id, 'a loadbalancer_id'),
    main: [
      ...(hasStream && module ? [`load_module ${nginxWord(module, 'the stream module path')};`] : []),
      // workers as root, as haproxy runs: they read the agent's sockets in its private run directory
      'user root;',
      'worker_processes auto;',
      `pid ${runDir}/${PID_FILE};`,
      `worker_shutdown_timeout ${formatTime((ctx.hardStopAfterSec ?? DEFAULT_HARD_STOP_AFTER_SEC) * 1000)};`,
    ],
    events: [`worker_connections ${maxConn};`],
    statusSocket: `${runDir}/${STATUS_SOCKET}`,
    http,
    stream: hasStream ? stream : null,
  };
}
