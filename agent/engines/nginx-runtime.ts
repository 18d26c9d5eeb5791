/**
 * What the agent runs beside nginx, which haproxy does itself: the health
 * monitors (nginx open source has no active checks) whose DOWN members go
 * into the render context, a debounced re-render when one changes, and the
 * access-log receiver the heartbeat counts traffic with.
 */
import * as path from 'node:path';
import type { Document } from '../../schemas/document';
import { LOG_SOCKET, type NginxRenderContext } from '../../renderers/nginx/context';
import type { RenderContext } from '../../renderers/types';
import { debounce, type Debounced } from '../health/debounce';
import { HealthMonitor, type Probe } from '../health/monitor';
import type { EngineReading } from '../heartbeat/collector';
import { NginxLogReceiver } from '../heartbeat/nginx-log';
import { nginxReading } from '../heartbeat/nginx-reading';
import type { Logger } from '../log';

/** The member health file in the state directory. */
export const MEMBER_HEALTH_FILE = 'member-health.json';
/** The access-log totals in the state directory. */
export const LOG_TOTALS_FILE = 'nginx-log-totals.json';
/** A changed member is rendered this long after the last change... */
export const REFRESH_SETTLE_MS = 200;
/** ...and nginx reloads for member changes at most once per this interval. */
export const REFRESH_MIN_INTERVAL_MS = 2000;

/** The engine-specific parts the daemon runs beside an engine (none for haproxy). */
export interface EngineRuntime {
  /** The render context of now. */
  context(): RenderContext;
  /** The applied document changed (null: none applied). */
  applied(doc: Document | null): void;
  /** The heartbeat's reading, or null when nothing is applied. */
  reading(doc: Document | null): Promise<EngineReading | null>;
  stop(): Promise<void>;
}

export interface NginxRuntimeOptions {
  stateDir: string;
  runDir: string;
  log: Logger;
  base: NginxRenderContext;
  /** re-renders the applied document (the applier's refresh) */
  refresh: () => Promise<unknown>;
  probe?: Probe;
}

/** Starts the log receiver and the monitors (idle until a document is applied). */
export function createNginxRuntime(o: NginxRuntimeOptions): EngineRuntime {
  const log = o.log.child({ component: 'nginx-runtime' });
  const receiver = new NginxLogReceiver(path.join(o.stateDir, LOG_TOTALS_FILE));
  receiver.start(path.join(o.runDir, LOG_SOCKET), (e) => log.error('the nginx access-log socket failed; traffic is not counted', { error: e }));
  const refresh: Debounced = debounce(
    async () => {
      try {
        await o.refresh();
      } catch (e) {
        log.error('re-rendering for member health failed; the previous configuration serves', { error: e });
      }
    },
    { settleMs: REFRESH_SETTLE_MS, minIntervalMs: REFRESH_MIN_INTERVAL_MS },
  );
  const monitor = new HealthMonitor({ stateFile: path.join(o.stateDir, MEMBER_HEALTH_FILE), log, onChange: () => refresh.trigger(), probe: o.probe });
  return {
    context: () => ({ ...o.base, nginx: { ...o.base.nginx, downMembers: monitor.down() } }) as NginxRenderContext,
    applied: (doc) => monitor.update(doc),
    reading: async (doc) => {
      if (!doc) return null;
      const r = nginxReading(doc, receiver, (id) => monitor.state(id));
      // kept with the baselines the heartbeat is about to save: a crash after this loses, never doubles
      try {
        receiver.save();
      } catch (e) {
        log.warn('cannot keep the access-log totals; an agent restart loses the traffic since', { error: e });
      }
      return r;
    },
    async stop() {
      monitor.stop();
      await refresh.stop();
      await receiver.stop();
    },
  };
}
