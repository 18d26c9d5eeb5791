/**
 * The typed view model of nginx.conf. Every string in it is already a safe
 * nginx word, a quoted one, or a whole directive built from such words: the
 * template prints it and decides nothing. Directives are whole lines, `;`
 * included, because nunjucks loops cost far more than one join on
 * 1,000-listener documents.
 */

/** A `head { lines }` block of the http or stream context: map, geo, upstream, limit_conn_zone's neighbours. */
export interface BlockView {
  /** e.g. `map $http_host $amph_host`, `upstream POOL~LISTENER` */
  head: string;
  /** complete directives, `;` included */
  lines: string[];
}

export interface LocationView {
  /** what follows `location`: `/`, `= amph-pool-0` */
  match: string;
  lines: string[];
}

export interface ServerView {
  /** `listener ID` (and the SNI certificate it serves), printed as a comment */
  comment: string;
  lines: string[];
  locations: LocationView[];
}

export interface ContextView {
  /** context-level directives (log_format, limit_conn_zone, hash sizes, ...) */
  lines: string[];
  /** maps, geo blocks and upstreams, in the order nginx must read them */
  blocks: BlockView[];
  servers: ServerView[];
}

export interface NginxView {
  loadbalancerId: string;
  /** main-context directives: load_module, user, pid, workers, shutdown timeout */
  main: string[];
  /** `events` block directives */
  events: string[];
  /** the agent's private status server: a unix socket answering the token and stub_status */
  statusSocket: string;
  /** the token of this rendered set (token.ts) */
  token: string;
  /** always present: it holds the agent's private status server */
  http: ContextView;
  /** null when no listener needs the stream module */
  stream: ContextView | null;
}
