import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCached } from './main';

/** Waits until `file` exists (the cache is written on a timer). */
async function appears(file: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the worker process: a CommonJS file run with V8\'s code cache', () => {
  let dir: string;
  let main: string;
  let cache: string;
  // the file runs in node's own context (jest's globals are not its globals): it tells what it saw in a file
  const runs = () => fs.existsSync(path.join(dir, 'runs')) ? fs.readFileSync(path.join(dir, 'runs'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-main-'));
    main = path.join(dir, 'main.js');
    cache = path.join(dir, 'code-cache');
    // what a bundle needs of its module scope: its own require (relative to it), module.exports, its file and folder
    fs.writeFileSync(path.join(dir, 'helper.js'), 'module.exports = (x) => x * 2;\n');
    fs.writeFileSync(main, [
      "const double = require('./helper');",
      "module.exports.ran = true;",
      "require('fs').appendFileSync(require('path').join(__dirname, 'runs'), JSON.stringify({ value: double(21), file: __filename, dir: __dirname, exportsIsThis: this === module.exports }) + '\\n');",
    ].join('\n'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('runs the file in its own module scope; without a cache file, makes one after the first request, which the next run takes', async () => {
    const messages = new EventEmitter();
    expect(runCached(main, cache, { messages, afterMs: 5 })).toBe(false);
    expect(runs()).toEqual([{ value: 42, file: main, dir, exportsIsThis: true }]);
    // the worker's init message is not a request: no cache yet
    messages.emit('message', { init: {} });
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(cache)).toBe(false);
    messages.emit('message', { id: 1, input: {} });
    await appears(cache);
    expect(fs.statSync(cache).mode & 0o777).toBe(0o600);
    expect(messages.listenerCount('message')).toBe(0);
    // a second worker takes it, runs the same, and does not write it again
    const again = new EventEmitter();
    expect(runCached(main, cache, { messages: again, afterMs: 5 })).toBe(true);
    expect(runs()).toHaveLength(2);
    expect(runs()[1]).toEqual(runs()[0]);
    expect(again.listenerCount('message')).toBe(0);
  });

  test('a cache V8 refuses (corrupt, or another file\'s) is ignored, and replaced', async () => {
    fs.writeFileSync(cache, 'not a code cache');
    const messages = new EventEmitter();
    expect(runCached(main, cache, { messages, afterMs: 5 })).toBe(false);
    expect(runs()).toHaveLength(1);
    messages.emit('message', { id: 7 });
    const deadline = Date.now() + 3000;
    while (fs.readFileSync(cache, 'utf8') === 'not a code cache' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(runCached(main, cache, { messages: new EventEmitter() })).toBe(true);
    // the bundle changed (a new build): its cache no longer fits
    fs.appendFileSync(main, '\n// rebuilt\n');
    expect(runCached(main, cache, { messages: new EventEmitter() })).toBe(false);
    expect(runs()).toHaveLength(3);
  });

  test('without a cache file it runs and writes nothing; a cache that cannot be written changes nothing', async () => {
    const messages = new EventEmitter();
    expect(runCached(main, null, { messages })).toBe(false);
    expect(messages.listenerCount('message')).toBe(0);
    const unwritable = path.join(dir, 'missing-dir', 'code-cache');
    expect(runCached(main, unwritable, { messages, afterMs: 5 })).toBe(false);
    messages.emit('message', { id: 1 });
    await new Promise((r) => setTimeout(r, 60));
    expect(fs.existsSync(unwritable)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(runs()).toHaveLength(2);
  });
});
