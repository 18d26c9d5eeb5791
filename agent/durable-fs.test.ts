import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { replaceFile, writeFileAtomic } from './durable-fs';

// the module object itself: the namespace import above cannot be spied on
const nodeFs = require('node:fs') as typeof fs;

describe('writing state files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(() => jest.restoreAllMocks());

  it('writeFileAtomic syncs the file and its directory; replaceFile replaces the file without a sync', () => {
    const syncs = jest.spyOn(nodeFs, 'fsyncSync');
    const file = path.join(dir, 'a');
    writeFileAtomic(file, 'one\n');
    expect(syncs).toHaveBeenCalledTimes(2);
    syncs.mockClear();
    replaceFile(file, 'two\n', 0o640);
    expect(syncs).not.toHaveBeenCalled();
    expect(fs.readFileSync(file, 'utf8')).toBe('two\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    // no temp file left beside it
    expect(fs.readdirSync(dir)).toEqual(['a']);
  });

  it('replaceFile leaves what was there and no temp file when it cannot replace it', () => {
    // a directory that holds a file cannot be renamed over
    const target = path.join(dir, 'b');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'kept'), 'old');
    expect(() => replaceFile(target, 'new')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(fs.readFileSync(path.join(target, 'kept'), 'utf8')).toBe('old');
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.b.tmp'))).toEqual([]);
  });
});
