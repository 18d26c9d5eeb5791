/**
 * The interface every renderer implements: a pure function from a validated
 * document and the facts about the engine and the VM to a set of files.
 * No I/O, no clock, no global config: everything it needs comes in here.
 */
import type { Document } from '../schemas';

/** What an engine binary can do, derived by the agent from its version (see agent/engines). */
export interface EngineCapabilities {
  engine: 'haproxy' | 'nginx';
  /** e.g. "2.6.12" */
  version: string;
  /** listener protocols the engine serves itself (UDP/SCTP go to keepalived's LVS) */
  protocols: string[];
  algorithms: string[];
  monitorTypes: string[];
  persistenceTypes: string[];
  l7RuleTypes: string[];
}

/** Facts about where and how the engine runs; the same inputs always give the same files. */
export interface RenderContext {
  capabilities: EngineCapabilities;
  /** absolute directory for the engine's runtime sockets and pid file, e.g. /run/amphora-agent */
  runDir: string;
  /** RLIMIT_NOFILE the engine will start with; maxconn is sized to fit it */
  fdLimit: number;
  /**
   * Seconds an old haproxy worker may keep its connections after a reload
   * (`hard-stop-after`); absent: the renderer's default (renderers/haproxy/README.md).
   */
  hardStopAfterSec?: number;
  /** NIC that carries the VIPs and VRRP adverts (keepalived); absent: `eth1` */
  vrrpInterface?: string;
  /** VRRP and health-check timing (keepalived); absent: Octavia's defaults (renderers/keepalived) */
  vrrpTiming?: VrrpTiming;
}

/** Octavia's `[keepalived_vrrp]` options, in seconds and counts. */
export interface VrrpTiming {
  advertInt: number;
  checkInterval: number;
  failCount: number;
  successCount: number;
  garpRefreshInterval: number;
  garpRefreshCount: number;
}

/** Files to write, relative to the config directory (paths inside configs are relative too). */
export interface RenderOutput {
  /** relative path -> content */
  files: Record<string, string>;
  /** the engine's main configuration file among `files` */
  main: string;
  /** files that hold private keys: redacted by GET /v1/config, written 0600 */
  secrets: string[];
}

export type RenderFn = (doc: Document, ctx: RenderContext) => RenderOutput;
