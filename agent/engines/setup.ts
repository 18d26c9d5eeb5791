/**
 * Makes the engine the configuration names: its adapter, its version, what it
 * can serve, and the render context its renderer takes. The one place that
 * knows both engines, so the daemon does not.
 */
import * as path from 'node:path';
import { haproxyCapabilities, nginxCapabilities } from '../../renderers/capabilities';
import { DRAIN_FILE, type NginxRenderContext } from '../../renderers/nginx/context';
import type { EngineCapabilities, RenderContext } from '../../renderers/types';
import { configLayout } from '../apply/staging';
import type { AgentConfig } from '../config';
import type { Logger } from '../log';
import { openFileLimit, type ProcessRunner } from '../process-runner';
import { queryUnixSocket } from '../unix-socket';
import { createHaproxyEngine } from './haproxy';
import { createNginxEngine, nginxBuild } from './nginx';
import { lowerDrainFlag } from './nginx-drain';
import { ensureNonlocalBind } from './nginx-nonlocal';
import type { Engine, EngineVersion } from './types';

/** Seconds old workers may keep their connections after a reload (the renderers' default; not configurable yet). */
export const HARD_STOP_AFTER_SEC = 600;

export interface EngineSetup {
  engine: Engine;
  version: EngineVersion;
  capabilities: EngineCapabilities;
  /** everything rendering needs (the worker thread gets a copy) */
  context: RenderContext;
}

/** Protocols that need nginx's stream module. */
const STREAM_PROTOCOLS = new Set(['TCP', 'HTTPS', 'UDP']);

/** Creates the engine of `cfg.engine` and asks its binary what it is. */
export async function setupEngine(cfg: AgentConfig, runner: ProcessRunner, log: Logger, seams: { procSys?: string } = {}): Promise<EngineSetup> {
  const base = {
    runDir: cfg.runDir, fdLimit: openFileLimit(), hardStopAfterSec: HARD_STOP_AFTER_SEC,
    vrrpInterface: cfg.vrrpInterface, vrrpTiming: cfg.vrrpTiming,
  };
  if (cfg.engine === 'nginx') {
    const build = await nginxBuild(runner, cfg.nginxCmd);
    const caps = nginxCapabilities(build.version);
    // an nginx without the stream module serves HTTP only
    if (!build.stream) caps.protocols = caps.protocols.filter((p) => !STREAM_PROTOCOLS.has(p));
    // a flag left by an agent that died mid-reload would keep every answer `Connection: close`
    const flag = path.join(cfg.runDir, DRAIN_FILE);
    if (lowerDrainFlag(flag)) log.info('nginx: removed a drain flag left by an interrupted reload', { flag });
    const nonlocalProblem = ensureNonlocalBind({ procSys: seams.procSys, set: cfg.nginxNonlocalBind, log });
    const engine = createNginxEngine({
      cmd: cfg.nginxCmd, runDir: cfg.runDir, prefix: path.join(cfg.stateDir, 'nginx'), configDir: configLayout(cfg.stateDir).currentLink, runner, log, nonlocalProblem,
    });
    const context: NginxRenderContext = { ...base, capabilities: caps, nginx: { streamModule: build.streamModule } };
    return { engine, version: { version: build.version, full: build.full }, capabilities: caps, context };
  }
  const engine = createHaproxyEngine({ cmd: cfg.haproxyCmd, runDir: cfg.runDir, runner, query: queryUnixSocket, drainMs: HARD_STOP_AFTER_SEC * 1000, log });
  const version = await engine.version();
  const capabilities = haproxyCapabilities(version.version);
  return { engine, version, capabilities, context: { ...base, capabilities } };
}
