/**
 * Composes the daemon from the configuration: engine adapter, renderer,
 * state store, applier, API server and systemd notifier. Start order follows
 * contract section 5: restore the applied document and have it serving, then
 * listen, then tell systemd READY=1. Stopping the daemon never stops the proxy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as https from 'node:https';
import type { RenderContext, ServePlan } from '../renderers/types';
import { createApp } from './api/routes';
import { createApiServer, listen } from './api/server';
import type { Preparer } from './apply/prepare';
import { createApplier, type Applier, type ApplyStep } from './apply/transaction';
import { createWorkerPreparer } from './apply/worker-preparer';
import { CODE_CACHE_FILE } from './worker/main';
import { readTlsMaterial, type AgentConfig } from './config';
import { buildDetails, type HeartbeatReport } from './details';
import { createNginxRuntime, type EngineRuntime } from './engines/nginx-runtime';
import { setupEngine } from './engines/setup';
import type { EngineReading } from './heartbeat/collector';
import { createKeepalived, type Keepalived } from './keepalived';
import type { Engine, EngineStatus } from './engines/types';
import { buildInfo, opensslVersion, type AgentInfo } from './info';
import type { Logger } from './log';
import { systemRunner, type ProcessRunner } from './process-runner';
import { createStateStore } from './state/store';
import { createSupervisor } from './supervise/supervisor';
import { createNotifier, type Notifier } from './systemd/notify';

/** How often the engine's supervisor looks for its master: a dead engine serves again within about this plus a start. */
const ENGINE_PROBE_MS = 500;
/** An engine that ran this long after a restart counts as healthy again: its next death is restarted at once. */
const ENGINE_STABLE_MS = 10_000;

/** What other parts (the heartbeat) read from a running daemon. */
export interface DaemonView {
  config: AgentConfig;
  log: Logger;
  info: AgentInfo;
  /** generation, hash and serve plan of what is applied, or null */
  applied(): { generation: number; hash: string; serves: ServePlan } | null;
  /** running?, pids, stats socket path */
  engineStatus(): Promise<EngineStatus>;
  engine: Engine;
  /** keepalived (VRRP, LVS); the heartbeat reads the LVS listeners from it */
  keepalived?: Keepalived;
  /** the heartbeat's reading when the agent gathers it itself (nginx); absent: the heartbeat reads haproxy's stats socket */
  engineReading?(): Promise<EngineReading | null>;
}

/** Something that runs beside the API (the heartbeat sender): made before the restore (its hooks see the restore's reload), told when ready, stopped on shutdown. */
export interface Companion {
  report?(): HeartbeatReport | null;
  /** called once the daemon is ready (restored, listening) */
  ready?(): void;
  /** called just before the engine reloads (counters reset on reload) */
  beforeReload?(): Promise<void>;
  stop(): void | Promise<void>;
}

export interface DaemonOptions {
  config: AgentConfig;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  runner?: ProcessRunner;
  /** made before the applied document is restored, e.g. `(view) => startHeartbeat(view)`; `ready()` follows */
  companions?: ((view: DaemonView) => Companion)[];
  /** fault injection for tests: the apply step at which the agent kills itself (SIGKILL), from AMPHORA_AGENT_KILL_AT */
  killAt?: ApplyStep;
}

export interface Daemon extends DaemonView {
  applier: Applier;
  server: https.Server;
  port: number;
  /** Stops the API and companions; the proxy keeps serving. */
  stop(): Promise<void>;
}

/** Starts the daemon; resolves once it is ready (restored, listening, READY=1 sent). */
export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const { config: cfg, log } = o;
  const runner = o.runner ?? systemRunner();
  const tls = readTlsMaterial(cfg);
  fs.mkdirSync(cfg.stateDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(cfg.runDir, { recursive: true, mode: 0o700 });

  // the engine `engine =` names (haproxy or nginx), what its version serves, and its render context
  const { engine, version, capabilities, context } = await setupEngine(cfg, runner, log);
  const info = buildInfo({ engine: version, engineName: engine.name, openssl: await opensslVersion(runner), amphoraId: cfg.amphoraId, capabilities });
  log.info('starting', { agent_version: info.agent_version, engine: version.full, state_dir: cfg.stateDir, run_dir: cfg.runDir });

  const preparer = createPreparer(context, path.join(cfg.stateDir, CODE_CACHE_FILE));
  const notifier: Notifier = createNotifier({ env: o.env ?? process.env, log, runner });
  const companions: Companion[] = [];
  let ready = false; // systemd hears RELOADING/READY around applies only once the first READY went out
  // keepalived (VRRP, LVS) is served, rolled back and stopped with the engine; its supervisor restarts it when it dies
  const keepalived = createKeepalived({ cmd: cfg.keepalivedCmd, runDir: cfg.runDir, vrrpInterface: cfg.vrrpInterface, engine, runner, log });
  // nginx: the agent's monitors, their re-render, the access-log receiver (haproxy does all that itself)
  const runtime: EngineRuntime | null = cfg.engine === 'nginx'
    ? createNginxRuntime({ stateDir: cfg.stateDir, runDir: cfg.runDir, log, base: context, refresh: () => applier.refresh() })
    : null;
  const applier = createApplier({
    stateDir: cfg.stateDir, engine, prepare: preparer.prepare, store: createStateStore(cfg.stateDir), log, sidecars: [keepalived.lifecycle],
    context: runtime ? () => runtime.context() : undefined,
    // haproxy: only keepalived reads the validated document, and only with its configuration (a 100-listener
    // document's text was 1.1 MB to copy from the worker and keep); nginx's monitors read it always
    documentBySidecars: !runtime,
    engineTimeoutMs: cfg.engineTimeout * 1000,
    hooks: {
      reloading: (what) => void (ready && notifier.reloading(what)),
      settled: (what) => {
        // nginx's monitors take the new document once the answer is out: parsing it and updating thousands of
        // checks (and saving their states) held the answer back ~10 ms with 2,000 members
        if (runtime) setImmediate(() => runtime.applied(applier.appliedDoc()));
        void (ready && notifier.ready(what));
      },
      beforeReload: async () => {
        for (const c of companions) await c.beforeReload?.();
      },
      step: o.killAt ? (s) => {
        if (s !== o.killAt) return;
        log.warn('killing this agent at an apply step, as AMPHORA_AGENT_KILL_AT asks (a fault-injection test)', { step: s });
        process.kill(process.pid, 'SIGKILL');
      } : undefined,
    },
  });
  // an engine that dies (killed, or its worker crashed and took the master along) is started again from the applied state
  const engineSupervisor = createSupervisor({ name: engine.name, health: applier.engineHealth, restart: applier.restartEngine, log: log.child({ component: 'supervisor' }), intervalMs: ENGINE_PROBE_MS, stableMs: ENGINE_STABLE_MS });
  const view: DaemonView = {
    config: cfg, log, info, engine, keepalived,
    applied: () => {
      const s = applier.applied();
      return s ? { generation: s.generation, hash: s.hash, serves: s.serves } : null;
    },
    engineStatus: () => engine.status(),
    ...(runtime ? { engineReading: () => runtime.reading(applier.appliedDoc()) } : {}),
  };
  // before the restore: when it reloads a running haproxy (an upgraded agent renders other
  // files) the heartbeat must take the old process's counters first, or that traffic is lost
  for (const start of o.companions ?? []) companions.push(start(view));

  await notifier.status('restoring the applied document');
  await applier.restore();
  runtime?.applied(applier.appliedDoc());
  const app = createApp({
    applier, log, maxRequestBytes: cfg.maxRequestBytes, info: () => info,
    details: () => buildDetails({ info, applier, engine, stateDir: cfg.stateDir, heartbeat: () => companions.find((c) => c.report)?.report?.() ?? null, keepalived: keepalived.report, engineSupervisor: engineSupervisor.status }),
  });
  const server = createApiServer(app, { tls, requestReadTimeout: cfg.requestReadTimeout });
  const port = await listen(server, cfg.bindHost, cfg.bindPort).catch(async (e) => {
    for (const c of companions) await c.stop();
    throw e;
  });

  keepalived.supervisor.start();
  engineSupervisor.start();
  const applied = applier.applied();
  ready = true;
  for (const c of companions) c.ready?.();
  await notifier.ready(applied ? `serving generation ${applied.generation}` : 'no document applied');
  notifier.startWatchdog();
  collectGarbage();
  // the validation worker starts now (and exits when idle): the first document, which on a new VM (a failover)
  // follows at once, is not held up by its start (~90 ms here)
  preparer.warm();
  log.info('ready', { address: cfg.bindHost, port, generation: applied?.generation ?? null });

  return {
    ...view, applier, server, port,
    async stop() {
      await notifier.stopping('stopping the agent; the proxy keeps serving');
      for (const c of companions) await c.stop();
      await keepalived.supervisor.stop();
      await runtime?.stop();
      await engineSupervisor.stop();
      // no new connections; an apply in flight finishes and answers before the rest is cut
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await applier.drain();
      server.closeAllConnections();
      await closed;
      notifier.close();
      await preparer.close();
      log.info('stopped; the proxy keeps serving');
    },
  };
}

/**
 * Compiled (dist/), validation and rendering run in a worker process that exits
 * when idle; under ts-jest (no compiled worker file) they run in this thread.
 */
function createPreparer(context: RenderContext, codeCacheFile: string): { prepare: Preparer; warm(): void; close(): Promise<void> } {
  if (__filename.endsWith('.js')) return createWorkerPreparer({ context, onIdle: collectGarbage, codeCacheFile });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createInProcessPreparer } = require('./apply/prepare') as typeof import('./apply/prepare');
  return { prepare: createInProcessPreparer(context), warm: () => undefined, close: async () => undefined };
}

/** A full collection when idle, if node runs with --expose-gc (bin/amphora-agent does): returns the start-up and apply garbage. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
