/**
 * The daemon's side of the worker protocol, against a scripted worker: the
 * files of a candidate the worker wrote are read back from disk (they do not
 * cross the channel), the document comes last, and a worker that dies before
 * it fails what is still to come.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { haproxyCapabilities } from '../../renderers/capabilities';
import { createWorkerPreparer } from './worker-preparer';

const context = { capabilities: haproxyCapabilities('2.6.12'), runDir: '/run/amphora-agent', fdLimit: 1024 };

/** A worker that answers every request with the parts `script` says (JS source run with `m`, the request, and `send`). */
function scriptedWorker(dir: string, script: string): string {
  const file = path.join(dir, 'worker.js');
  fs.writeFileSync(file, `process.on('message', (m) => { if (m.init) return; const send = (x) => process.send(x); ${script} });\nprocess.on('disconnect', () => process.exit(0));\n`);
  return file;
}

describe('worker preparer', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the files of a staged candidate back from disk, and takes the document last', async () => {
    const cand = path.join(dir, 'cand');
    fs.mkdirSync(path.join(cand, 'certs'), { recursive: true });
    fs.writeFileSync(path.join(cand, 'haproxy.cfg'), 'global\n    maxconn 10\n');
    fs.writeFileSync(path.join(cand, 'certs', 'a.pem'), '-----BEGIN-----\n');
    const staged = { dir: cand, main: 'haproxy.cfg', names: ['haproxy.cfg', 'certs/a.pem'], bytes: 37 };
    const head = { ok: true, generation: 3, amphora: null, staged, filesHash: 'fh', skeletonHash: null, renderError: null };
    const out = { files: {}, main: 'haproxy.cfg', secrets: ['certs/a.pem'], serves: { reported: [], engine: [], lvs: [], pools: [], otherBinds: [] } };
    const w = createWorkerPreparer({
      context, workerFile: scriptedWorker(dir, `send({ id: m.id, head: ${JSON.stringify(head)} }); send({ id: m.id, full: { out: ${JSON.stringify(out)} } }); send({ id: m.id, hash: 'h' }); send({ id: m.id, doc: '{"generation":3}' });`),
    });
    try {
      const r = await w.prepare({});
      if (!r.ok) throw new Error('not ok');
      const full = await r.full;
      expect(full?.out?.files).toEqual({ 'haproxy.cfg': 'global\n    maxconn 10\n', 'certs/a.pem': '-----BEGIN-----\n' });
      expect(full?.out?.secrets).toEqual(['certs/a.pem']);
      expect(await r.hash).toBe('h');
      expect(await r.docText).toBe('{"generation":3}');
    } finally {
      await w.close();
    }
  });

  it('fails the files when the candidate is gone, and what is still to come when the worker dies', async () => {
    const staged = { dir: path.join(dir, 'gone'), main: 'haproxy.cfg', names: ['haproxy.cfg'], bytes: 1 };
    const head = { ok: true, generation: 3, amphora: null, staged, filesHash: 'fh', skeletonHash: null, renderError: null };
    const w = createWorkerPreparer({
      context, workerFile: scriptedWorker(dir, `send({ id: m.id, head: ${JSON.stringify(head)} }); send({ id: m.id, full: { out: { files: {}, main: 'haproxy.cfg', secrets: [] } } }); send({ id: m.id, hash: 'h' }); setTimeout(() => process.exit(3), 50);`),
    });
    try {
      const r = await w.prepare({});
      if (!r.ok) throw new Error('not ok');
      await expect(r.full).rejects.toThrow(/reading back the rendered files failed: ENOENT/);
      expect(await r.hash).toBe('h');
      await expect(r.docText).rejects.toThrow('validation worker exited with code 3');
    } finally {
      await w.close();
    }
  });
});
