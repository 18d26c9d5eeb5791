import type { ServedMember } from '../types';

/**
 * The typed view model of haproxy.cfg. Every string in it is already a safe
 * haproxy word or an escaped one: the templates print it and decide nothing.
 */

export interface GlobalView {
  loadbalancerId: string;
  pidfile: string;
  statsSocket: string;
  /** where the agent saves `show servers state` before a reload; loaded by the new worker */
  serverStateFile: string;
  maxconn: number;
  /** false when haproxy's one-fd-per-check budget exceeds the fd limit (see build-view) */
  strictLimits: boolean;
  /** how long old workers keep their connections after a reload, e.g. `10m` */
  hardStopAfter: string;
  /** this amphora's name in the peers section, or null */
  localPeer: string | null;
}

/** Stick-table replication between VRRP peers. */
export interface PeersView {
  name: string;
  local: string;
  /** `bind ADDRESS:PORT transparent`, `server LOCAL`, then `server NAME ADDRESS:PORT` of each other peer */
  entries: string[];
}

export interface AclView {
  name: string;
  /** fetch, flags and quoted pattern(s), e.g. `path -m beg -- "/api"` */
  expr: string;
}

/** One L7 policy after ordering: `condition` sets the winner, `directive` acts on it. */
export interface PolicyView {
  index: number;
  /** ACL names (with `!` for invert), ANDed */
  condition: string;
  /** e.g. `http-request deny deny_status 403`, `use_backend POOL:LISTENER` */
  directive: string;
}

export interface FrontendView {
  name: string;
  mode: 'http' | 'tcp';
  disabled: boolean;
  maxconn: number;
  /** `ADDRESS:PORT [params]` */
  binds: string[];
  timeoutClient: string;
  inspectDelay: string | null;
  /**
   * Request handling in evaluation order, one directive a line: source ACLs
   * and the connection reject, rule ACLs, policy election, http-request
   * actions, then use_backend (see frontendRules). Lines, not objects, because
   * nunjucks loops cost far more than one join on 1,000-listener documents.
   */
  rules: string[];
  defaultBackend: string | null;
}

export interface ServerView {
  name: string;
  address: string;
  /** every server keyword, in order, space-separated */
  params: string;
}

export interface BackendView {
  name: string;
  mode: 'http' | 'tcp';
  balance: string;
  /** directives before the servers: persistence, checks, header insertion, ... */
  directives: string[];
  timeoutConnect: string;
  timeoutServer: string;
  /** `server NAME ADDRESS PARAMS` lines (see serverLine) */
  servers: string[];
  /** the same servers for the serve plan (not printed) */
  members: ServedMember[];
}

export interface HaproxyView {
  global: GlobalView;
  peers: PeersView | null;
  frontends: FrontendView[];
  backends: BackendView[];
}
