import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadExample } from '../../test/lib/examples';
import { fakeEngine, fakeRender } from '../../test/lib/fake-engine';
import { nullLogger } from '../log';
import { createStateStore } from '../state/store';
import { haproxyCapabilities } from '../../renderers/capabilities';
import { createInProcessPreparer } from './prepare';
import { createApplier, WHERE_MAX_CHARS } from './transaction';
import type { RenderFn } from '../../renderers/types';
import type { Engine } from '../engines/types';

function setup() {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'applier-'));
  const { e, engine } = fakeEngine(stateDir);
  const store = createStateStore(stateDir);
  const events: string[] = [];
  const make = () => createApplier({
    stateDir, engine, store, log: nullLogger(), sleep: async () => undefined, verifyTimeoutMs: 0,
    diagnose: async () => 'cannot bind 192.0.2.1:80 (in use by another process)',
    prepare: createInProcessPreparer({ capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(stateDir, 'run'), fdLimit: 1024 }, fakeRender),
    hooks: { reloading: (w) => events.push(`reloading ${w}`), settled: (w) => events.push(`settled ${w}`) },
  });
  return { stateDir, e, engine, store, events, applier: make(), make };
}

const doc = (generation: number, weight = 1) => {
  const d = loadExample('http-basic');
  d.generation = generation;
  d.loadbalancer.pools[0].members[0].weight = weight;
  return d;
};

describe('the apply transaction', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => { t = setup(); });
  afterEach(() => fs.rmSync(t.stateDir, { recursive: true, force: true }));

  it('starts the engine on the first apply, commits, and answers the same document as unchanged without a reload', async () => {
    expect(await t.applier.apply(doc(1))).toMatchObject({ result: 'applied', generation: 1, reloaded: true });
    expect(t.e.starts).toBe(1);
    expect(t.applier.applied()?.generation).toBe(1);
    expect(t.store.load().state?.generation).toBe(1);
    expect(fs.statSync(path.join(t.stateDir, 'current', 'certs', 'key.pem')).mode & 0o777).toBe(0o600);
    expect(await t.applier.apply(doc(1))).toMatchObject({ result: 'unchanged', reloaded: false });
    expect(t.e.reloads).toBe(0);
    expect(t.events).toEqual(['reloading applying generation 1', 'settled serving generation 1']);
  });

  it('refuses a lower generation and a same generation with other content (409), touching nothing', async () => {
    await t.applier.apply(doc(2));
    await expect(t.applier.apply(doc(1))).rejects.toMatchObject({ status: 409, code: 'GENERATION_STALE' });
    await expect(t.applier.apply(doc(2, 7))).rejects.toMatchObject({ status: 409, code: 'GENERATION_CONFLICT' });
    expect(t.e.reloads).toBe(0);
    expect(t.applier.lastRefused()).toMatchObject({ generation: 2, code: 'GENERATION_CONFLICT', status: 409 });
  });

  it('leaves no candidate behind when it stops before the engine check (the preparer writes it first)', async () => {
    const configs = () => fs.readdirSync(path.join(t.stateDir, 'configs')).sort();
    await t.applier.apply(doc(2));
    const applied = configs();
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatch(/^g2-/);
    // the same generation again (unchanged), a stale one and a conflicting one (409)
    expect(await t.applier.apply(doc(2))).toMatchObject({ result: 'unchanged' });
    await expect(t.applier.apply(doc(1))).rejects.toMatchObject({ status: 409 });
    await expect(t.applier.apply(doc(2, 7))).rejects.toMatchObject({ status: 409 });
    expect(configs()).toEqual(applied);
    // a new generation with the same files: committed over the running set, no second candidate kept
    const d = doc(3);
    d.loadbalancer.description = 'same files';
    expect(await t.applier.apply(d)).toMatchObject({ result: 'applied', reloaded: false });
    expect(configs()).toEqual(applied);
    expect(t.store.load().state?.configDir).toBe(applied[0]);
  });

  it('prepares a reload beside the check (member health for the new plan), not a change that may be members only', async () => {
    // the fake render's skeleton: everything but the weights
    const skeleton: RenderFn = (d, c, o) => ({ ...fakeRender(d, c, o), skeletonHash: d.loadbalancer.listeners.map((l) => l.listener_id).join(',') });
    const stateDir = t.stateDir;
    const applier = createApplier({
      stateDir, engine: t.engine, store: t.store, log: nullLogger(), sleep: async () => undefined, verifyTimeoutMs: 0,
      prepare: createInProcessPreparer({ capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(stateDir, 'run'), fdLimit: 1024 }, skeleton),
    });
    await applier.apply(doc(1));
    // the first start: nothing to carry over
    expect(t.e.preps).toBe(0);
    // the same skeleton (a weight): the fake engine has no runtime path, so it reloads, taking the state itself
    await applier.apply(doc(2, 5));
    expect([t.e.preps, t.e.preparedReloads]).toEqual([0, [false]]);
    const d = doc(3, 5);
    d.loadbalancer.listeners[0].listener_id = 'another-listener';
    await applier.apply(d);
    expect([t.e.preps, t.e.preparedReloads]).toEqual([1, [false, true]]);
  });

  it('names where a change beyond members first differs, once the answer is out', async () => {
    const engine = { ...t.engine, planMembers: () => ({ ok: false as const, reason: 'the configuration changes beyond members' }), applyMembers: async () => undefined };
    const applier = createApplier({
      stateDir: t.stateDir, engine, store: t.store, log: nullLogger(), sleep: async () => undefined, verifyTimeoutMs: 0,
      prepare: createInProcessPreparer({ capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(t.stateDir, 'run'), fdLimit: 1024 }, fakeRender),
    });
    await applier.apply(doc(1));
    // the fake render shows weights, not timeouts: a weight makes the files differ, the timeout is what differs beyond members
    const d = doc(2, 7);
    d.loadbalancer.listeners[0].timeout_client_data = 1234;
    expect(await applier.apply(d)).toMatchObject({ reloaded: true });
    expect(applier.lastApply()).toMatchObject({ generation: 2, path: 'reload', reason: 'the configuration changes beyond members' });
    await new Promise((r) => setImmediate(r));
    expect(applier.lastApply()?.reason).toBe('the configuration changes beyond members (first at loadbalancer.listeners[0].timeout_client_data)');
    // a large document is not parsed twice for it: the reason stands as it is
    const big = doc(3, 8);
    const m0 = big.loadbalancer.pools[0].members[0];
    for (let i = 0; big.loadbalancer.pools[0].members.length * 250 < WHERE_MAX_CHARS; i++) {
      big.loadbalancer.pools[0].members.push({ ...m0, member_id: `extra-${i}`, name: 'x'.repeat(200), protocol_port: 20000 + i });
    }
    big.loadbalancer.listeners[0].timeout_client_data = 4321;
    expect(await applier.apply(big)).toMatchObject({ reloaded: true });
    await new Promise((r) => setImmediate(r));
    expect(applier.lastApply()).toMatchObject({ generation: 3, reason: 'the configuration changes beyond members' });
  });

  it('reports every validation error with its path (400) and remembers the refusal', async () => {
    const bad = doc(3);
    bad.loadbalancer.listeners[0].protocol_port = 0;
    bad.loadbalancer.pools[0].members[1].weight = 999;
    await expect(t.applier.apply(bad)).rejects.toMatchObject({ status: 400 });
    const r = t.applier.lastRefused();
    expect(r?.errors.map((x) => x.path).sort()).toEqual(['loadbalancer.listeners[0].protocol_port', 'loadbalancer.pools[0].members[1].weight']);
  });

  it('commits a new generation with identical files without a reload', async () => {
    await t.applier.apply(doc(1));
    const d = doc(2);
    d.loadbalancer.description = 'only the description changed';
    expect(await t.applier.apply(d)).toMatchObject({ result: 'applied', generation: 2, reloaded: false });
    expect(t.e.reloads).toBe(0);
    expect(t.store.load().state?.generation).toBe(2);
  });

  it('keeps a candidate the engine refused under failed/ and changes nothing (422)', async () => {
    await t.applier.apply(doc(1));
    const before = fs.readlinkSync(path.join(t.stateDir, 'current'));
    t.e.checkOk = false;
    const err = await t.applier.apply(doc(2, 5)).catch((x) => x);
    expect(err).toMatchObject({ status: 422, code: 'ENGINE_REFUSED', output: expect.stringContaining('unknown keyword') });
    expect(fs.readdirSync(err.candidateDir)).toContain('proxy.cfg');
    expect(fs.readlinkSync(path.join(t.stateDir, 'current'))).toBe(before);
    expect(t.e.reloads).toBe(0);
    expect(t.applier.applied()?.generation).toBe(1);
  });

  it('runs the pre-reload hook (the heartbeat takes its counters) beside the preparation of each reload, settled before the engine is told; not before a first start', async () => {
    const order: string[] = [];
    const statusCalls = { n: 0 };
    const engine: Engine = {
      ...t.engine,
      status: async () => (statusCalls.n++, t.engine.status()),
      // as haproxy does: the status it is given, its own preparation, then `ready`, then the signal
      reload: async (next, opts) => {
        order.push(`reload prepares (status given: ${!!opts?.status})`);
        await opts?.ready;
        order.push('reload signalled');
        await t.engine.reload(next, opts);
      },
    };
    const a = createApplier({
      stateDir: t.stateDir, engine, store: t.store, log: nullLogger(), sleep: async () => undefined, verifyTimeoutMs: 0,
      prepare: createInProcessPreparer({ capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(t.stateDir, 'run'), fdLimit: 1024 }, fakeRender),
      hooks: { beforeReload: async () => { await new Promise((r) => setTimeout(r, 10)); order.push('checkpoint'); } },
    });
    await a.apply(doc(1, 1));
    expect(order).toEqual([]);
    statusCalls.n = 0;
    await a.apply(doc(2, 4));
    expect(order).toEqual(['reload prepares (status given: true)', 'checkpoint', 'reload signalled']);
    // one look at the start of the apply, which the reload takes (it asks no more), one by the verification
    expect(statusCalls.n).toBe(2);
  });

  it('asks the engine again before the reload when the look taken at the start showed a reload under way', async () => {
    let midReload = false;
    const statusCalls = { n: 0 };
    const given: (boolean | undefined)[] = [];
    const engine: Engine = {
      ...t.engine,
      status: async () => {
        statusCalls.n++;
        const st = await t.engine.status();
        // the first look of the apply finds a worker not there yet; every later one a settled engine
        if (midReload) return (midReload = false), { ...st, workerPid: null };
        return st;
      },
      reload: async (next, opts) => {
        given.push(opts?.status?.workerPid !== null);
        await t.engine.reload(next, opts);
      },
    };
    const a = createApplier({
      stateDir: t.stateDir, engine, store: t.store, log: nullLogger(), sleep: async () => undefined, verifyTimeoutMs: 0,
      prepare: createInProcessPreparer({ capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(t.stateDir, 'run'), fdLimit: 1024 }, fakeRender),
    });
    await a.apply(doc(1, 1));
    midReload = true;
    statusCalls.n = 0;
    await a.apply(doc(2, 4));
    // the start's look (mid-reload), one more before the reload (settled: nothing to wait for), the verification's
    expect(statusCalls.n).toBe(3);
    // the reload was given a settled look, not the one from the start
    expect(given).toEqual([true]);
    expect(a.applied()?.generation).toBe(2);
  });

  it('points current back and reloads the previous set when the reload fails (503)', async () => {
    await t.applier.apply(doc(1, 1));
    t.e.failReload = 1;
    const err = await t.applier.apply(doc(2, 9)).catch((x) => x);
    expect(err).toMatchObject({ status: 503, code: 'APPLY_FAILED', rolledBack: true });
    expect(err.message).toContain('(cannot bind 192.0.2.1:80 (in use by another process)); generation 1 is serving again');
    expect(t.e.reloads).toBe(2);
    expect(t.e.serving).toContain('weights 1,3');
    expect(t.applier.applied()?.generation).toBe(1);
    expect(t.store.load().state?.generation).toBe(1);
  });

  it('runs one apply at a time: concurrent PUTs queue', async () => {
    await t.applier.apply(doc(1));
    const results = await Promise.allSettled([t.applier.apply(doc(2, 2)), t.applier.apply(doc(3, 3)), t.applier.apply(doc(2, 2))]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.result : (r.reason as { code: string }).code))).toEqual(['applied', 'applied', 'GENERATION_STALE']);
    expect(t.e.serving).toContain('weights 3,3');
  });

  it('drain waits for the apply in flight (shutdown)', async () => {
    const pending = t.applier.apply(doc(1));
    let drained = false;
    const d = t.applier.drain().then(() => (drained = t.applier.applied()?.generation === 1));
    await Promise.all([pending, d]);
    expect(drained).toBe(true);
  });

  it('validates without touching the running engine', async () => {
    await t.applier.apply(doc(1));
    expect(await t.applier.validate(doc(2, 4))).toMatchObject({ valid: true, generation: 2, unchanged: false });
    expect(t.e.reloads).toBe(0);
    expect(t.e.log.filter((l) => l.startsWith('check validate-'))).toHaveLength(1);
    expect(fs.readdirSync(path.join(t.stateDir, 'configs')).filter((n) => n.startsWith('validate-'))).toEqual([]);
  });

  it('leaves no dry-run candidate behind when the generation rule refuses it after the files were written (409)', async () => {
    await t.applier.apply(doc(3));
    expect(await t.applier.validate(doc(2)).catch((e) => e)).toMatchObject({ status: 409, code: 'GENERATION_STALE' });
    expect(await t.applier.validate(doc(3, 7)).catch((e) => e)).toMatchObject({ status: 409 });
    expect(t.e.log.filter((l) => l.startsWith('check validate-'))).toEqual([]);
    expect(fs.readdirSync(path.join(t.stateDir, 'configs')).filter((n) => n.startsWith('validate-'))).toEqual([]);
  });

  it('restores the stored document at start, adopting a running engine that serves it', async () => {
    await t.applier.apply(doc(4));
    const again = t.make();
    await again.restore();
    expect(again.applied()?.generation).toBe(4);
    expect(t.e.reloads).toBe(0);
    t.e.running = false;
    const third = t.make();
    await third.restore();
    expect(t.e.starts).toBe(2);
    expect(third.applied()?.generation).toBe(4);
  });

  it('after a crash between the swap and the commit, restore serves the committed state again', async () => {
    await t.applier.apply(doc(1, 1));
    // what a crash leaves: `current` switched to an uncommitted candidate that the engine reloaded
    fs.mkdirSync(path.join(t.stateDir, 'configs', 'uncommitted'));
    fs.writeFileSync(path.join(t.stateDir, 'configs', 'uncommitted', 'proxy.cfg'), 'listeners x\nweights 9,9\n');
    fs.symlinkSync('configs/uncommitted', path.join(t.stateDir, 'current.new'));
    fs.renameSync(path.join(t.stateDir, 'current.new'), path.join(t.stateDir, 'current'));
    await t.engine.reload();
    expect(t.e.serving).toContain('weights 9,9');
    const again = t.make();
    await again.restore();
    expect(t.e.serving).toContain('weights 1,3');
    expect(again.applied()?.generation).toBe(1);
    expect(again.restoreError()).toBeNull();
  });

  it('falls back to state.prev.json when state.json is torn', async () => {
    await t.applier.apply(doc(1));
    await t.applier.apply(doc(2, 2));
    fs.writeFileSync(path.join(t.stateDir, 'state.json'), '{"format":1,"generation":2,');
    const { state, problems } = t.store.load();
    expect(state?.generation).toBe(1);
    expect(problems[0]).toContain('state.json');
  });

  it('stops the engine and forgets the document on remove', async () => {
    await t.applier.apply(doc(1));
    expect(await t.applier.remove()).toEqual({ deleted: true });
    expect(t.e.running).toBe(false);
    expect(t.applier.applied()).toBeNull();
    expect(t.store.load().state).toBeNull();
    expect(await t.applier.apply(doc(1))).toMatchObject({ result: 'applied' });
  });
});

describe('refresh: the applied document rendered again with the context of now (members held DOWN)', () => {
  it('renders with the applier\'s context, serves the new files of the same generation, and does nothing when they are the same', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'applier-'));
    try {
      const { e, engine } = fakeEngine(stateDir);
      let down: string[] = [];
      // the fake renderer shows which members the context holds DOWN
      const render: RenderFn = (d, ctx) => {
        const out = fakeRender(d, ctx);
        out.files['proxy.cfg'] += `down ${((ctx as { nginx?: { downMembers?: string[] } }).nginx?.downMembers ?? []).join(',')}\n`;
        return out;
      };
      const base = { capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(stateDir, 'run'), fdLimit: 1024 };
      const applier = createApplier({
        stateDir, engine, store: createStateStore(stateDir), log: nullLogger(), sleep: async () => undefined, verifyTimeoutMs: 0,
        prepare: createInProcessPreparer(base, render), context: () => ({ ...base, nginx: { downMembers: down } }) as never,
      });
      expect(await applier.refresh()).toBeNull();
      await applier.apply(doc(1));
      expect(e.serving).toContain('down \n');
      expect(await applier.refresh()).toEqual({ reloaded: false });
      down = ['m1'];
      expect(await applier.refresh()).toEqual({ reloaded: true });
      expect(e.serving).toContain('down m1\n');
      expect(applier.applied()).toMatchObject({ generation: 1 });
      expect(applier.applied()?.files['proxy.cfg']).toContain('down m1');
      expect(applier.appliedDoc()?.generation).toBe(1);
      // a new apply of the same generation and content is still "unchanged"
      expect(await applier.apply(doc(1))).toMatchObject({ result: 'unchanged' });
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
