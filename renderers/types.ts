/**
 * The interface every renderer implements: a pure function from a validated
 * document and the facts about the engine and the VM to a set of files.
 * No I/O, no clock, no global config: everything it needs comes in here.
 */
import type { Document } from '../schemas';
import type { EngineCapabilities } from '../schemas/capabilities';

/** What an engine binary can do: defined beside the contract (`schemas/capabilities.ts`), which the controller reads too. */
export type { EngineCapabilities } from '../schemas/capabilities';

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

/** An address and port the engine binds or a member listens on. */
export interface Endpoint {
  host: string;
  port: number;
}

/** One member as the engine serves it in one pool. */
export interface ServedMember {
  id: string;
  address: string;
  port: number;
  weight: number;
  /** the member and its pool are enabled */
  enabled: boolean;
  /** the engine's own definition of the member as rendered (haproxy: `ADDRESS:PORT params`): equal specs, equal members */
  spec: string;
}

/** One pool as the engine serves it for one listener. */
export interface ServedPool {
  /** `POOL_ID:LISTENER_ID`: the heartbeat's pool key (and haproxy's backend name) */
  key: string;
  poolId: string;
  listenerId: string;
  /** the pool's lb_algorithm and session persistence type, as the document says */
  algorithm: string;
  persistence: string | null;
  /** every member, enabled or not (a disabled one is rendered, and reported, as such) */
  members: ServedMember[];
}

/**
 * What the engine is expected to serve once these files are loaded: worked
 * out once, where the view is built, and read by verification, the reload
 * diagnosis, the heartbeat and the details (never recomputed from the document).
 */
export interface ServePlan {
  /** every enabled listener (admin_state_up): what the heartbeat reports, whoever serves it */
  reported: string[];
  /**
   * listeners the engine itself must have open, with the addresses each binds (none when the load balancer is disabled);
   * `udp`: its binds are datagram sockets (nginx serves UDP listeners itself)
   */
  engine: { id: string; binds: Endpoint[]; udp?: boolean }[];
  /** enabled UDP/SCTP listeners, served by keepalived's LVS */
  lvs: string[];
  /** pools the engine serves, with their members */
  pools: ServedPool[];
  /** other addresses the engine binds, named by the field they come from (stick-table peers on `amphora.vrrp_address`) */
  otherBinds: (Endpoint & { field: string })[];
}

/** Files to write, relative to the config directory (paths inside configs are relative too). */
export interface RenderOutput {
  /** relative path -> content */
  files: Record<string, string>;
  /** the engine's main configuration file among `files` */
  main: string;
  /** files that hold private keys: redacted by GET /v1/config, written 0600 */
  secrets: string[];
  /** what the engine serves with these files */
  serves: ServePlan;
  /**
   * SHA-256 of the files with every member definition left out: two renders
   * with the same hash differ in members only, which an engine may apply
   * without a reload. Absent: the engine never applies members at run time.
   */
  skeletonHash?: string;
}

/** The files alone: what a check of a candidate needs. */
export type RenderedFiles = Pick<RenderOutput, 'files' | 'main' | 'secrets'>;

/** `filesOnly`: the caller only checks the files (a dry run); what serves no check (the skeleton hash) may be left out. */
export type RenderFn = (doc: Document, ctx: RenderContext, o?: { filesOnly?: boolean }) => RenderOutput;
