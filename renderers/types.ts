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
