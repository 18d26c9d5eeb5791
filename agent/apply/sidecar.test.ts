/** The apply transaction with a sidecar (keepalived's place): checked with the engine, served after it, rolled back with it, stopped on DELETE. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { haproxyCapabilities } from '../../renderers/capabilities';
import { loadExample } from '../../test/lib/examples';
import { fakeEngine, fakeRender } from '../../test/lib/fake-engine';
import { VrrpInterfaceMissing } from '../errors';
import { nullLogger } from '../log';
import { createStateStore } from '../state/store';
import { createInProcessPreparer } from './prepare';
import type { Sidecar } from './sidecar';
import { createApplier } from './transaction';

const doc = (generation: number, weight = 1) => {
  const d = loadExample('http-basic');
  d.generation = generation;
  d.loadbalancer.pools[0].members[0].weight = weight;
  return d;
};

function setup() {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecar-'));
  const { e, engine } = fakeEngine(stateDir);
  const s = { checkOk: true, checkThrows: null as Error | null, failServe: 0, serving: '', calls: [] as string[] };
  const sidecar: Sidecar = {
    name: 'keepalived',
    check: async (dir, files) => {
      s.calls.push(`check ${path.basename(dir)} ${files.length}`);
      if (s.checkThrows) throw s.checkThrows;
      return s.checkOk ? { ok: true, output: '' } : { ok: false, output: 'Non-existent interface specified in configuration' };
    },
    serve: async (dir, out, d) => {
      // the engine serves first: a sidecar's health check watches it
      s.calls.push(`serve ${path.basename(dir)} g${d().generation} engine:${e.serving === out.files['proxy.cfg'] ? 'same' : 'other'}`);
      if (s.failServe > 0) {
        s.failServe--;
        throw new Error('keepalived: start did not happen within 10000 ms');
      }
      s.serving = out.files['proxy.cfg'];
    },
    stop: async () => {
      s.calls.push('stop');
      s.serving = '';
    },
  };
  const store = createStateStore(stateDir);
  const make = () => createApplier({
    stateDir, engine, store, log: nullLogger(), sleep: async () => undefined, verifyTimeoutMs: 0, sidecars: [sidecar],
    diagnose: async () => null,
    prepare: createInProcessPreparer({ capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(stateDir, 'run'), fdLimit: 1024 }, fakeRender),
  });
  return { stateDir, e, engine, s, make, applier: make() };
}

let t: ReturnType<typeof setup>;
beforeEach(() => { t = setup(); });
afterEach(() => fs.rmSync(t.stateDir, { recursive: true, force: true }));

test('the sidecar checks each candidate beside the engine, and is served after the engine with `current`', async () => {
  await t.applier.apply(doc(1));
  expect(t.e.log).toEqual([expect.stringMatching(/^check g1-/), 'start']);
  expect(t.s.calls).toEqual([expect.stringMatching(/^check g1-\S+ 2$/), 'serve current g1 engine:same']);
  expect(t.s.serving).toContain('weights 1,3');
});

test('a refusal by the sidecar is a 422 naming it; the candidate is kept in failed/ and nothing changes', async () => {
  await t.applier.apply(doc(1));
  t.s.checkOk = false;
  const err = await t.applier.apply(doc(2, 5)).catch((x) => x);
  expect(err).toMatchObject({ status: 422, code: 'ENGINE_REFUSED', message: 'keepalived refused the rendered configuration', output: 'Non-existent interface specified in configuration' });
  expect(fs.readdirSync(err.candidateDir)).toContain('proxy.cfg');
  expect(t.e.reloads).toBe(0);
  expect(t.applier.applied()?.generation).toBe(1);
  expect(t.s.calls.filter((c) => c.startsWith('serve'))).toHaveLength(1);
});

test('the sidecar checks while the engine checks; an engine refusal is answered before the sidecar\'s', async () => {
  let release!: () => void;
  const engineDone = new Promise<void>((r) => (release = r));
  const check = t.engine.check.bind(t.engine);
  t.engine.check = async (...a: Parameters<typeof check>) => {
    await engineDone;
    return check(...a);
  };
  t.s.checkOk = false;
  t.e.checkOk = false;
  const answer = t.applier.apply(doc(1)).catch((x) => x);
  // the sidecar's check starts while the engine's is still under way
  const deadline = Date.now() + 2000;
  while (!t.s.calls.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(t.s.calls).toEqual([expect.stringMatching(/^check g1-/)]);
  release();
  expect(await answer).toMatchObject({ status: 422, message: 'haproxy refused the rendered configuration' });
});

test('an error the sidecar throws answers as itself (the VRRP interface named) and leaves no candidate in configs/', async () => {
  t.s.checkThrows = new VrrpInterfaceMissing('eth1', ['eth0', 'lo']);
  const err = await t.applier.apply(doc(1)).catch((x) => x);
  expect(err).toMatchObject({ status: 422, code: 'VRRP_INTERFACE_MISSING' });
  expect(err.message).toMatch(/^\[amphora_agent\] vrrp_interface: eth1 does not exist/);
  expect(fs.readdirSync(path.join(t.stateDir, 'configs'))).toEqual([]);
  expect(fs.readdirSync(path.join(t.stateDir, 'failed'))).toHaveLength(1);
  expect(t.e.starts).toBe(0);
  expect(t.applier.lastRefused()).toMatchObject({ code: 'VRRP_INTERFACE_MISSING', status: 422 });
});

test('POST validate runs the sidecar check too', async () => {
  t.s.checkOk = false;
  await expect(t.applier.validate(doc(1))).rejects.toMatchObject({ status: 422, message: 'keepalived refused the rendered configuration' });
});

test('a sidecar that fails to serve rolls the engine and the sidecar back to the previous generation (503)', async () => {
  await t.applier.apply(doc(1, 1));
  t.s.failServe = 1;
  const err = await t.applier.apply(doc(2, 9)).catch((x) => x);
  expect(err).toMatchObject({ status: 503, code: 'APPLY_FAILED', rolledBack: true });
  expect(err.message).toMatch(/keepalived: start did not happen.*generation 1 is serving again/);
  expect(t.e.serving).toContain('weights 1,3');
  expect(t.s.serving).toContain('weights 1,3');
  expect(t.s.calls.filter((c) => c.startsWith('serve'))).toEqual(['serve current g1 engine:same', 'serve current g2 engine:same', 'serve current g1 engine:same']);
  expect(t.applier.applied()?.generation).toBe(1);
});

test('a failed first apply stops the engine and the sidecar', async () => {
  t.s.failServe = 1;
  await expect(t.applier.apply(doc(1))).rejects.toMatchObject({ status: 503, rolledBack: true });
  expect(t.e.running).toBe(false);
  expect(t.s.calls.at(-1)).toBe('stop');
});

test('DELETE stops the sidecar with the engine', async () => {
  await t.applier.apply(doc(1));
  await t.applier.remove();
  expect(t.s.calls.at(-1)).toBe('stop');
  expect(t.e.running).toBe(false);
});

test('restore serves the sidecar when it adopts a running engine; a sidecar failure there does not lose the document', async () => {
  await t.applier.apply(doc(4));
  const again = t.make();
  t.s.failServe = 1;
  await again.restore();
  expect(again.applied()?.generation).toBe(4);
  expect(t.e.reloads).toBe(0);
  expect(t.s.calls.at(-1)).toBe('serve current g4 engine:same');
  const third = t.make();
  await third.restore();
  expect(t.s.calls.at(-1)).toBe('serve current g4 engine:same');
  expect(t.s.serving).toContain('weights 1,3');
});

test('with documentBySidecars, the validated document is kept only when the files include what a sidecar reads it with', async () => {
  const reads: string[] = [];
  const reader = (documentWith: string): Sidecar => ({
    name: 'keepalived', documentWith,
    check: async () => ({ ok: true, output: '' }),
    // as keepalived does: the document is read only with its file
    serve: async (_dir, out, d) => void (out.files[documentWith] !== undefined && reads.push(`g${d().generation}`)),
    stop: async () => undefined,
  });
  const applierWith = (documentWith: string) => createApplier({
    stateDir: t.stateDir, engine: t.engine, store: createStateStore(t.stateDir), log: nullLogger(), sleep: async () => undefined, verifyTimeoutMs: 0,
    sidecars: [reader(documentWith)], documentBySidecars: true, diagnose: async () => null,
    prepare: createInProcessPreparer({ capabilities: haproxyCapabilities('2.6.12'), runDir: path.join(t.stateDir, 'run'), fdLimit: 1024 }, fakeRender),
  });
  // fakeRender writes proxy.cfg: a sidecar reading the document with it gets it
  const withFile = applierWith('proxy.cfg');
  await withFile.apply(doc(1));
  expect(reads).toEqual(['g1']);
  expect(withFile.appliedDoc()?.generation).toBe(1);
  // with a file that is not rendered, the document is not kept; the sidecar is served all the same
  const without = applierWith('keepalived.conf');
  await without.apply(doc(2));
  expect(reads).toEqual(['g1']);
  expect(without.applied()?.generation).toBe(2);
  expect(() => without.appliedDoc()).toThrow('the validated document was not kept');
});
