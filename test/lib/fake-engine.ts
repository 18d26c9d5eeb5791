/**
 * An engine in memory for unit tests of the apply transaction: it serves
 * whatever `current/proxy.cfg` says at its last start or reload, and a
 * renderer that writes the members' weights only (enough to tell configs apart).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RenderFn } from '../../renderers/types';
import type { Engine, EngineStatus } from '../../agent/engines/types';

/** Renders the listeners and the members' weights only, plus one secret file. */
export const fakeRender: RenderFn = (doc) => ({
  main: 'proxy.cfg',
  files: {
    'proxy.cfg': `listeners ${doc.loadbalancer.listeners.map((l) => l.listener_id).join(',')}\nweights ${doc.loadbalancer.pools.flatMap((p) => p.members.map((m) => m.weight)).join(',')}\n`,
    'certs/key.pem': 'SECRET',
  },
  secrets: ['certs/key.pem'],
  serves: {
    reported: doc.loadbalancer.listeners.map((l) => l.listener_id),
    engine: doc.loadbalancer.admin_state_up ? doc.loadbalancer.listeners.map((l) => ({ id: l.listener_id, binds: [] })) : [],
    lvs: [], pools: [], otherBinds: [],
  },
});

/** The fake engine over a state directory, and its knobs. */
export function fakeEngine(stateDir: string) {
  const e = {
    running: false, worker: 0, reloads: 0, starts: 0, checkOk: true, failReload: 0, serving: '',
    log: [] as string[],
    /** reloads prepared ahead (`prepareReload`), and for each reload whether it came with a preparation for its own plan */
    preps: 0, preparedReloads: [] as boolean[],
  };
  const cfg = () => fs.readFileSync(path.join(stateDir, 'current', 'proxy.cfg'), 'utf8');
  const status = async (): Promise<EngineStatus> => ({
    running: e.running, masterPid: e.running ? 1 : null, workerPid: e.running ? e.worker : null, oldWorkerPids: [],
    reloads: e.reloads, failedReloads: 0, statsSocket: '/s', masterSocket: '/m',
  });
  const engine: Engine = {
    name: 'haproxy',
    version: async () => ({ version: '2.6.12', full: 'HAProxy version 2.6.12' }),
    check: async (dir) => {
      e.log.push(`check ${path.basename(dir)}`);
      return { ok: e.checkOk, output: e.checkOk ? 'valid' : '[ALERT] parsing [haproxy.cfg:3]: unknown keyword' };
    },
    start: async () => {
      e.log.push('start');
      e.starts++;
      e.running = true;
      e.worker++;
      e.serving = cfg();
    },
    prepareReload: async (next) => {
      e.preps++;
      return { engine: 'haproxy', next, ready: null };
    },
    reload: async (next, opts) => {
      await opts?.ready?.catch(() => undefined);
      e.log.push('reload');
      e.preparedReloads.push(!!opts?.prep && (await opts.prep).next === next);
      e.reloads++;
      if (e.failReload > 0) {
        e.failReload--;
        throw new Error('haproxy refused the new configuration at reload');
      }
      e.worker++;
      e.serving = cfg();
    },
    stop: async () => {
      e.log.push('stop');
      e.running = false;
    },
    status,
    info: async () => ({ Pid: String(e.worker) }),
    stats: async () => (/listeners (.*)/.exec(e.serving)?.[1] ?? '').split(',').map((id) => ({ pxname: id, svname: 'FRONTEND', status: 'OPEN' })),
  };
  return { e, engine };
}
