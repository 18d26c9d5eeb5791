/**
 * The validation worker as the daemon runs it (compiled, from dist/): answers
 * valid and invalid documents, serves concurrent calls, stops when idle and
 * starts again on the next call.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { haproxyCapabilities } from '../../renderers/capabilities';
import { createWorkerPreparer } from '../../agent/apply/worker-preparer';
import { MalformedBody } from '../../agent/errors';
import { documentHash, filesHash } from '../../agent/state/hash';
import { GENERATION_SLOT } from '../../agent/apply/staging';
import { loadExample } from '../lib/examples';
import { genLarge } from '../lib/gen-large';
import { validateDocument } from '../../schemas/validate';
import { ROOT } from '../lib/agent-harness';
import { NGINX_GOLDEN_CONTEXT } from '../../renderers/nginx/golden-context';
import { workersOf } from '../lib/worker-procs';

/** what the daemon forks: the bundle (dist/agent/worker/bundle.js, scripts/bundle-worker.js) */
const mainFile = path.join(ROOT, 'dist/agent/worker/main.js');
/** the compiled modules, what worker/main runs without a bundle */
const modulesFile = path.join(ROOT, 'dist/agent/apply/prepare-worker.js');
const context = { capabilities: haproxyCapabilities('2.6.12'), runDir: '/run/amphora-agent', fdLimit: 20000 };

describe.each([
  ['bundled, as the daemon runs it', mainFile],
  ['from the compiled modules', modulesFile],
])('validation worker, %s', (_how, workerFile) => {
  let idles = 0;
  const w = createWorkerPreparer({ context, idleMs: 200, workerFile, onIdle: () => idles++ });
  afterAll(() => w.close());

  it('validates and renders a document in the worker', async () => {
    const r = await w.prepare(loadExample('http-basic'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const full = await r.full;
    expect(JSON.parse((await r.docText)!).generation).toBe(1);
    expect(full?.out?.main).toBe('haproxy.cfg');
    expect(full?.out?.files['haproxy.cfg']).toContain('frontend eaa7357c-ca1c-5295-95b3-8f44bbaf179a');
    // nothing written without stageTo; the files' hash in the head
    expect(r.staged).toBeNull();
    expect(r.filesHash).toBe(filesHash(full!.out!.files));
  });

  it('parses a body given as bytes and answers its hash after the result, as for the same document as an object', async () => {
    const doc = loadExample('http-basic');
    const r = await w.prepare(Buffer.from(JSON.stringify(doc)));
    const o = await w.prepare(doc);
    expect(r.ok && o.ok).toBe(true);
    if (!r.ok || !o.ok) return;
    expect(r.generation).toBe(1);
    expect(r.amphora).toEqual(doc.amphora ?? null);
    const [rf, of] = [await r.full, await o.full];
    expect(await r.docText).toEqual(await o.docText);
    expect(rf?.out?.files).toEqual(of?.out?.files);
    expect(await r.hash).toBe(documentHash(doc));
    expect(await o.hash).toBe(documentHash(doc));
  });

  it('answers a document that changes a little after another as it would answer it alone (validation and hash by parts)', async () => {
    const base = genLarge(8, 2, 2) as any;
    const docs = [base, { ...structuredClone(base), generation: 2 }];
    const third = structuredClone(base);
    third.generation = 3;
    third.loadbalancer.listeners[1].timeout_client_data = 4242;
    third.loadbalancer.pools[0].members.pop();
    docs.push(third);
    for (const doc of docs) {
      const r = await w.prepare(Buffer.from(JSON.stringify(doc)));
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      expect(await r.hash).toBe(documentHash(doc));
      const alone = validateDocument(structuredClone(doc));
      if (!alone.ok) throw new Error('the document should validate');
      expect(await r.docText).toBe(JSON.stringify(alone.doc));
    }
  });

  it('answers the validated document only with the files the daemon reads it with (documentFor), the rest as always', async () => {
    const plain = await w.prepare(Buffer.from(JSON.stringify(loadExample('http-basic'))), { documentFor: ['keepalived.conf'] });
    const udp = await w.prepare(Buffer.from(JSON.stringify(loadExample('mixed-protocols'))), { documentFor: ['keepalived.conf'] });
    if (!plain.ok || !udp.ok) throw new Error('the examples should validate');
    expect(await plain.docText).toBeNull();
    expect((await plain.full)?.out?.files['haproxy.cfg']).toContain('frontend eaa7357c-ca1c-5295-95b3-8f44bbaf179a');
    expect(await plain.hash).toBe(documentHash(loadExample('http-basic')));
    const alone = validateDocument(loadExample('mixed-protocols'));
    expect(alone.ok && (await udp.docText)).toBe(alone.ok && JSON.stringify(alone.doc));
  });

  it('writes the candidate of a check itself when told where, and sends the files back no more', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-stage-'));
    try {
      const doc = loadExample('http-basic');
      const r = await w.prepare(Buffer.from(JSON.stringify(doc)), { stageTo: { stateDir, name: 'validate-1' }, dryRun: true });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(await r.full).toBeNull();
      expect(await r.docText).toBeNull();
      expect(r.filesHash).toBeNull();
      expect(await r.hash).toBe(documentHash(doc));
      const dir = path.join(stateDir, 'configs', 'validate-1');
      expect(r.staged).toEqual({ dir, main: 'haproxy.cfg', names: ['haproxy.cfg'], bytes: fs.statSync(path.join(dir, 'haproxy.cfg')).size });
      expect(fs.readFileSync(path.join(dir, 'haproxy.cfg'), 'utf8')).toContain('frontend eaa7357c-ca1c-5295-95b3-8f44bbaf179a');
      // an invalid document writes nothing
      const bad = { ...doc, generation: 0 };
      const r2 = await w.prepare(Buffer.from(JSON.stringify(bad)), { stageTo: { stateDir, name: 'validate-2' }, dryRun: true });
      expect(r2.ok).toBe(false);
      expect(fs.existsSync(path.join(stateDir, 'configs', 'validate-2'))).toBe(false);
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('for an apply, writes the candidate (named with the generation) and answers that first, then the files (read back from that candidate), the hash, and the document', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-stage-'));
    try {
      const doc = { ...loadExample('http-basic'), generation: 7 };
      const order: string[] = ['head'];
      const r = await w.prepare(Buffer.from(JSON.stringify(doc)), { stageTo: { stateDir, name: `g${GENERATION_SLOT}-x` } });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const dir = path.join(stateDir, 'configs', 'g7-x');
      // the files are on disk when the head is answered
      expect(r.staged?.dir).toBe(dir);
      const onDisk = fs.readFileSync(path.join(dir, 'haproxy.cfg'), 'utf8');
      const [full, hash, text] = await Promise.all([
        r.full.then((f) => (order.push('full'), f)), r.hash.then((h) => (order.push('hash'), h)), r.docText.then((t) => (order.push('doc'), t)),
      ]);
      expect(order).toEqual(['head', 'full', 'hash', 'doc']);
      expect(JSON.parse(text!).generation).toBe(7);
      expect(full?.out?.files['haproxy.cfg']).toBe(onDisk);
      expect(full?.out?.serves.engine.length).toBe(doc.loadbalancer.listeners.length);
      expect(r.filesHash).toBe(filesHash(full!.out!.files));
      expect(hash).toBe(documentHash(doc));
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('refuses a body that is not a JSON object as MALFORMED_BODY', async () => {
    for (const body of ['{"generation": 1,', '[1, 2]', 'null']) {
      const e = await w.prepare(Buffer.from(body)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MalformedBody);
      expect(e).toMatchObject({ code: 'MALFORMED_BODY', status: 400 });
    }
    // and goes on serving
    expect((await w.prepare(loadExample('http-basic'))).ok).toBe(true);
  });

  it('returns every error of an invalid document with its path', async () => {
    const d = loadExample('http-basic');
    d.loadbalancer.listeners[0].protocol_port = 70000;
    d.loadbalancer.pools[0].members[1].address = 'not-an-ip';
    const r = await w.prepare(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path).sort()).toEqual(['loadbalancer.listeners[0].protocol_port', 'loadbalancer.pools[0].members[1].address']);
  });

  it('answers concurrent calls each with its own result', async () => {
    const docs = [1, 2, 3, 4].map((g) => ({ ...loadExample('mixed-protocols'), generation: g }));
    const rs = await Promise.all(docs.map((d) => w.prepare(d)));
    expect(await Promise.all(rs.map(async (r) => (r.ok ? JSON.parse((await r.docText)!).generation : -1)))).toEqual([1, 2, 3, 4]);
  });

  it('is the only place zod and the templates load: the daemon\'s own modules load neither (its idle memory)', () => {
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(ROOT, 'dist/agent/daemon.js'))}); console.log(JSON.stringify(Object.keys(require.cache)))`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const loaded: string[] = JSON.parse(r.stdout);
    expect(loaded.some((f) => f.endsWith(path.join('dist', 'agent', 'daemon.js')))).toBe(true);
    expect(loaded.filter((f) => /[\\/]node_modules[\\/](zod|nunjucks)[\\/]/.test(f) || /[\\/]dist[\\/](schemas[\\/](document|validate)|renderers[\\/](haproxy|nginx)[\\/]index)\.js$/.test(f))).toEqual([]);
  });

  it('stops when idle and starts again on the next call', async () => {
    const before = idles;
    const deadline = Date.now() + 10000;
    while (idles === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(idles).toBe(before + 1);
    const r = await w.prepare(loadExample('terminated-https-l7'));
    expect(r.ok).toBe(true);
  });

  it('warm() starts the worker with no call; a call then is answered by it, and it stops when idle as after a call', async () => {
    await w.close();
    const before = workersOf(process.pid, workerFile);
    let stops = 0;
    const v = createWorkerPreparer({ context, idleMs: 300, workerFile, onIdle: () => stops++ });
    try {
      v.warm();
      const started = workersOf(process.pid, workerFile).filter((p) => !before.includes(p));
      expect(started).toHaveLength(1);
      // a second warm() starts no other, and a call goes to the one running
      v.warm();
      const r = await v.prepare(loadExample('http-basic'));
      expect(r.ok).toBe(true);
      expect(workersOf(process.pid, workerFile).filter((p) => !before.includes(p))).toEqual(started);
      const deadline = Date.now() + 5000;
      while (stops === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      expect(stops).toBe(1);
      // warmed and never called: it stops when idle all the same
      v.warm();
      expect(workersOf(process.pid, workerFile).filter((p) => !before.includes(p))).toHaveLength(1);
      const again = Date.now() + 5000;
      while (stops === 1 && Date.now() < again) await new Promise((res) => setTimeout(res, 50));
      expect(stops).toBe(2);
      expect(workersOf(process.pid, workerFile).filter((p) => !before.includes(p))).toEqual([]);
    } finally {
      await v.close();
    }
  });
});

describe('the bundled worker with its code cache', () => {
  const examples = ['http-basic', 'mixed-protocols', 'octavia-2025-full', 'terminated-https-l7'];
  const contexts = { haproxy: context, nginx: NGINX_GOLDEN_CONTEXT };
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-cache-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Every example as the preparer answers it: files, hash and validated document (an error's text where refused). */
  const answers = async (w: ReturnType<typeof createWorkerPreparer>) => {
    const out: unknown[] = [];
    for (const name of examples) {
      const r = await w.prepare(Buffer.from(JSON.stringify(loadExample(name))));
      out.push(r.ok ? { files: (await r.full)?.out?.files, hash: await r.hash, doc: await r.docText } : r.errors);
    }
    return out;
  };

  it.each(Object.keys(contexts))('%s: the bundle makes its cache after its first document; a new worker takes it and answers as the compiled modules do', async (engine) => {
    const ctx = contexts[engine as keyof typeof contexts];
    const cacheFile = path.join(dir, `${engine}-code-cache`);
    const first = createWorkerPreparer({ context: ctx, workerFile: mainFile, codeCacheFile: cacheFile });
    let firstAnswers: unknown[];
    try {
      firstAnswers = await answers(first);
      const deadline = Date.now() + 5000;
      while (!fs.existsSync(cacheFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(fs.statSync(cacheFile).size).toBeGreaterThan(100_000);
    } finally {
      await first.close();
    }
    const cached = createWorkerPreparer({ context: ctx, workerFile: mainFile, codeCacheFile: cacheFile });
    const modules = createWorkerPreparer({ context: ctx, workerFile: modulesFile });
    try {
      const [a, b] = [await answers(cached), await answers(modules)];
      expect(a).toEqual(b);
      expect(firstAnswers).toEqual(b);
      expect(b.some((x) => !Array.isArray(x))).toBe(true);
    } finally {
      await cached.close();
      await modules.close();
    }
  });

  it('without a bundle (a build that could not make one), worker/main runs the compiled modules', async () => {
    // the compiled agent as the build leaves it, with worker/main.js and no bundle.js beside it
    const tree = path.join(dir, 'no-bundle');
    const agentDir = path.join(ROOT, 'dist', 'agent');
    fs.mkdirSync(path.join(tree, 'agent', 'worker'), { recursive: true });
    fs.copyFileSync(mainFile, path.join(tree, 'agent', 'worker', 'main.js'));
    for (const e of fs.readdirSync(agentDir)) if (e !== 'worker') fs.symlinkSync(path.join(agentDir, e), path.join(tree, 'agent', e));
    const w = createWorkerPreparer({ context, workerFile: path.join(tree, 'agent', 'worker', 'main.js'), codeCacheFile: path.join(tree, 'cache') });
    try {
      const r = await w.prepare(loadExample('http-basic'));
      expect(r.ok).toBe(true);
      if (r.ok) expect((await r.full)?.out?.files['haproxy.cfg']).toContain('frontend eaa7357c-ca1c-5295-95b3-8f44bbaf179a');
      // nothing to cache without a bundle
      await new Promise((res) => setTimeout(res, 1500));
      expect(fs.existsSync(path.join(tree, 'cache'))).toBe(false);
    } finally {
      await w.close();
    }
  });

  it('bundles no translation of zod\'s messages but English, which its errors are in', async () => {
    const bundle = fs.readFileSync(path.join(ROOT, 'dist/agent/worker/bundle.js'), 'utf8');
    expect(bundle).toContain('zod/v4/locales/en.cjs');
    expect(bundle).not.toContain('zod/v4/locales/de.cjs');
    const w = createWorkerPreparer({ context, workerFile: mainFile });
    try {
      const bad = loadExample('http-basic') as any;
      bad.loadbalancer.listeners[0].protocol_port = 'eighty';
      const r = await w.prepare(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors).toContainEqual({ path: 'loadbalancer.listeners[0].protocol_port', message: 'must be of type number' });
    } finally {
      await w.close();
    }
  });
});
