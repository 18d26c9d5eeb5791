import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configLayout, currentTarget, keepFailed, pruneConfigs, readConfigFiles, switchCurrent, writeCandidate } from './staging';

describe('config directories', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'staging-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes a candidate whole, secrets 0600, and reads it back', () => {
    const l = configLayout(root);
    const dir = writeCandidate(l, 'g1', { main: 'haproxy.cfg', files: { 'haproxy.cfg': 'global\n', 'certs/a.pem': 'KEY' }, secrets: ['certs/a.pem'] });
    expect(fs.statSync(path.join(dir, 'certs/a.pem')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'haproxy.cfg')).mode & 0o777).toBe(0o644);
    expect(readConfigFiles(l, 'g1', ['haproxy.cfg', 'certs/a.pem'])).toEqual({ 'haproxy.cfg': 'global\n', 'certs/a.pem': 'KEY' });
    expect(readConfigFiles(l, 'g1', ['missing'])).toBeNull();
  });

  it('refuses a rendered path that leaves the directory', () => {
    expect(() => writeCandidate(configLayout(root), 'g1', { main: 'x', files: { '../escape': 'x' }, secrets: [] })).toThrow('leaves the config directory');
  });

  it('switches current by renaming a relative symlink over it', () => {
    const l = configLayout(root);
    writeCandidate(l, 'g1', { main: 'a', files: { a: '1' }, secrets: [] });
    writeCandidate(l, 'g2', { main: 'a', files: { a: '2' }, secrets: [] });
    switchCurrent(l, 'g1');
    expect(currentTarget(l)).toBe('g1');
    switchCurrent(l, 'g2');
    expect(fs.readlinkSync(l.currentLink)).toBe(path.join('configs', 'g2'));
    expect(fs.readFileSync(path.join(l.currentLink, 'a'), 'utf8')).toBe('2');
    expect(fs.readdirSync(root).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('keeps the newest three refused candidates and prunes all but the named configs', () => {
    const l = configLayout(root);
    for (let i = 1; i <= 5; i++) {
      const dir = writeCandidate(l, `g${i}`, { main: 'a', files: { a: String(i) }, secrets: [] });
      fs.utimesSync(dir, i, i);
      if (i < 5) keepFailed(l, dir);
    }
    expect(fs.readdirSync(l.failedDir).length).toBe(3);
    writeCandidate(l, 'validate-x', { main: 'a', files: { a: 'v' }, secrets: [] });
    pruneConfigs(l, ['g5'], (n) => n.startsWith('validate-'));
    expect(fs.readdirSync(l.configsDir).sort()).toEqual(['g5', 'validate-x']);
  });
});
