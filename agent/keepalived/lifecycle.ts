/**
 * keepalived's lifecycle as the apply transaction sees it (a Sidecar): check
 * a candidate (the VRRP interface exists, `keepalived --config-test`), serve
 * a document (start, reload only when keepalived.conf or the mode changed,
 * stop when the document needs no keepalived), stop on DELETE; plus what the
 * supervisor and GET /v1/details need. One operation at a time.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LazyDocument } from '../state/document-text';
// not the renderer's index: the daemon does not load templates
import { keepalivedNeeds, needsVrrp, vrrpPriority } from '../../renderers/keepalived/build-view';
import { KEEPALIVED_MAIN, type KeepalivedRuntimePaths } from '../../renderers/keepalived/runtime-paths';
import type { RenderOutput } from '../../renderers/types';
import { Mutex } from '../apply/mutex';
import type { Sidecar } from '../apply/sidecar';
import type { CheckResult, EngineProbe } from '../engines/types';
import { VrrpInterfaceMissing } from '../errors';
import type { Logger } from '../log';
import type { IpvsStatus } from './ipvs';
import type { KeepalivedMode, KeepalivedProcess } from './keepalived-process';
import { lvsPlan, type LvsListenerPlan } from './lvs-plan';
import { writeRuntimeScripts } from './runtime-scripts';
import { readVrrpState } from './vrrp-state';

export interface KeepalivedLifecycleDeps {
  process: KeepalivedProcess;
  paths: KeepalivedRuntimePaths;
  /** `[amphora_agent] vrrp_interface` */
  vrrpInterface: string;
  /** the engine keepalived's VRRP check watches */
  engineName: string;
  probe: EngineProbe | null;
  ipvs: () => Promise<IpvsStatus>;
  /** names of this VM's network interfaces */
  interfaces: () => string[];
  log: Logger;
}

/** What GET /v1/details shows as `keepalived`. */
export interface KeepalivedStatus {
  /** the applied document needs keepalived (VRRP, or LVS for UDP/SCTP listeners) */
  needed: boolean;
  running: boolean;
  pid: number | null;
  mode: KeepalivedMode | null;
  vrrp_interface: string | null;
  vrrp_state: string | null;
  /** the configured priority (the document's, else the role's) */
  vrrp_priority: number | null;
  last_transition: string | null;
  /** LVS for UDP/SCTP listeners: null when the document has none */
  lvs: IpvsStatus | null;
}

export type KeepalivedHealth = 'idle' | 'running' | 'dead';

/** What the heartbeat needs to report UDP/SCTP listeners from IPVS. */
export interface LvsState {
  plan: LvsListenerPlan[];
  /** keepalived runs its LVS part (the checker) */
  running: boolean;
  /** the IPVS probe of the last apply; null without LVS listeners */
  ipvs: IpvsStatus | null;
}

export interface KeepalivedLifecycle extends Sidecar {
  status(): KeepalivedStatus;
  lvs(): LvsState;
  /** idle: nothing to run; dead: it should run and does not (waits for an operation in flight). */
  health(): Promise<KeepalivedHealth>;
  /** Starts keepalived again when it should run and does not (the supervisor's restart). */
  restartIfDead(): Promise<boolean>;
}

interface Desired {
  confFile: string;
  mode: KeepalivedMode;
  hash: string;
}

/** How long the IPVS probe of a check stands for the serve that follows it, ms (a slower engine step probes again). */
const PROBE_REUSE_MS = 60_000;

const sameMode = (a: KeepalivedMode | null, b: KeepalivedMode) => !!a && a.vrrp === b.vrrp && a.lvs === b.lvs;

/** Creates the lifecycle (nothing runs until `serve`). */
export function createKeepalivedLifecycle(d: KeepalivedLifecycleDeps): KeepalivedLifecycle {
  const mutex = new Mutex();
  const loadedFile = path.join(d.paths.dir, 'loaded.sha256');
  let desired: Desired | null = null;
  let needs = { vrrp: false, lvs: false };
  let ipvs: IpvsStatus | null = null;
  let priority: number | null = null;
  let plan: LvsListenerPlan[] = [];
  // the IPVS probe of the last check, which the serve that follows it takes rather than probe (and modprobe) again
  let checked: { at: number; status: Promise<IpvsStatus> } | null = null;
  const ipvsNow = (): Promise<IpvsStatus> => {
    const c = checked;
    checked = null;
    return c && Date.now() - c.at < PROBE_REUSE_MS ? c.status : d.ipvs();
  };

  // the hash of the file and mode keepalived last loaded, kept on disk so a restarted agent does not reload for nothing
  const loaded = (): string | null => {
    try {
      return fs.readFileSync(loadedFile, 'utf8').trim() || null;
    } catch {
      return null;
    }
  };
  const setLoaded = (hash: string | null) => {
    if (hash) fs.writeFileSync(loadedFile, `${hash}\n`);
    else fs.rmSync(loadedFile, { force: true });
  };

  const scripts = () => {
    if (!d.probe) throw new Error(`the ${d.engineName} engine gives keepalived no way to check it (no probe)`);
    writeRuntimeScripts(d.paths, d.engineName, d.probe);
  };

  const start = async (want: Desired) => {
    // a state left by an earlier keepalived is not this one's
    fs.rmSync(d.paths.stateFile, { force: true });
    const pid = await d.process.start(want.confFile, want.mode);
    d.log.info('keepalived started', { pid, vrrp: want.mode.vrrp, lvs: want.mode.lvs });
  };

  const stop = async (why: string) => {
    const pid = d.process.pid();
    await d.process.stop();
    setLoaded(null);
    fs.rmSync(d.paths.stateFile, { force: true });
    if (pid !== null) d.log.info('keepalived stopped', { pid, reason: why });
  };

  const serveLocked = async (configDir: string, out: RenderOutput, lazy: LazyDocument) => {
    const conf = out.files[KEEPALIVED_MAIN];
    // the document is read only when keepalived has a configuration to run
    const doc = conf ? lazy() : null;
    needs = doc ? keepalivedNeeds(doc) : { vrrp: false, lvs: false };
    priority = needs.vrrp && doc?.amphora ? vrrpPriority(doc.amphora) : null;
    plan = doc ? lvsPlan(doc) : [];
    ipvs = needs.lvs ? await ipvsNow() : null;
    if (ipvs && !ipvs.available) d.log.warn('UDP/SCTP listeners are not served: LVS needs IPVS', { reason: ipvs.reason });
    const mode = { vrrp: needs.vrrp, lvs: needs.lvs && !!ipvs?.available };
    if (!conf || (!mode.vrrp && !mode.lvs)) {
      desired = null;
      await stop('the applied document needs no keepalived');
      return;
    }
    if (mode.vrrp) scripts();
    const want: Desired = {
      confFile: path.join(configDir, KEEPALIVED_MAIN), mode,
      hash: createHash('sha256').update(conf).update(JSON.stringify(mode)).digest('hex'),
    };
    desired = want;
    const running = d.process.mode();
    if (running && sameMode(running, mode) && loaded() === want.hash) return;
    try {
      if (running && sameMode(running, mode)) {
        await d.process.reload();
        d.log.info('keepalived reloaded', { pid: d.process.pid() });
      } else {
        // the children to run are chosen by flags at start: another mode needs a restart
        if (running) await stop('its mode changes');
        await start(want);
      }
      setLoaded(want.hash);
    } catch (e) {
      // what keepalived runs is unknown now: the next serve reloads whatever it finds
      setLoaded(null);
      throw e;
    }
  };

  return {
    name: 'keepalived',
    // serveLocked reads the document only when there is a keepalived.conf
    documentWith: KEEPALIVED_MAIN,

    async check(dir, files, amphora): Promise<CheckResult> {
      if (!files.includes(KEEPALIVED_MAIN)) return { ok: true, output: '' };
      if (needsVrrp(amphora)) {
        const names = d.interfaces();
        if (!names.includes(d.vrrpInterface)) throw new VrrpInterfaceMissing(d.vrrpInterface, names);
        if (!d.probe) return { ok: false, output: `the ${d.engineName} engine gives keepalived no way to check it (its adapter has no probe), so VRRP cannot follow it` };
        // --config-test refuses a track script that does not exist yet
        await mutex.run(async () => scripts());
      } else {
        // LVS alone: keepalived runs only on a kernel with IPVS (serveLocked); without it nothing reads the file
        const status = d.ipvs();
        checked = { at: Date.now(), status };
        if (!(await status).available) return { ok: true, output: '' };
      }
      return d.process.check(path.join(dir, KEEPALIVED_MAIN));
    },

    serve: (configDir, out, doc) => mutex.run(() => serveLocked(configDir, out, doc)),

    stop: () =>
      mutex.run(async () => {
        desired = null;
        needs = { vrrp: false, lvs: false };
        ipvs = null;
        priority = null;
        plan = [];
        await stop('the document was deleted');
      }),

    status() {
      const pid = d.process.pid();
      const vrrp = pid !== null && desired?.mode.vrrp ? readVrrpState(d.paths.stateFile) : null;
      return {
        needed: needs.vrrp || needs.lvs,
        running: pid !== null,
        pid,
        mode: d.process.mode(),
        vrrp_interface: needs.vrrp ? d.vrrpInterface : null,
        vrrp_state: vrrp?.state ?? null,
        vrrp_priority: priority,
        last_transition: vrrp?.since ?? null,
        lvs: ipvs,
      };
    },

    lvs: () => ({ plan, running: !!d.process.mode()?.lvs, ipvs }),

    health: () => mutex.run(async () => (desired === null ? 'idle' : d.process.pid() === null ? 'dead' : 'running')),

    restartIfDead: () =>
      mutex.run(async () => {
        if (!desired || d.process.pid() !== null) return false;
        setLoaded(null);
        await start(desired);
        setLoaded(desired.hash);
        return true;
      }),
  };
}
