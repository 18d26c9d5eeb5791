/**
 * The templates as the build compiles them ahead of time (renderers/templates.ts:
 * each templates folder's precompiled.js, and the bundled worker's) print the
 * reviewed golden files, as the `.njk` sources do under ts-jest
 * (renderers/<engine>/golden.test.ts): the compiled code under dist/ renders
 * every contract example to the same bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../lib/agent-harness';
import { exampleNames } from '../lib/examples';
import { validExample } from '../lib/render-fixtures';

const DIST = path.join(ROOT, 'dist', 'renderers');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (rel: string) => require(path.join(DIST, rel));
const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null);
const names = exampleNames().map((f) => f.replace(/\.json$/, ''));

describe('templates compiled ahead of time by the build', () => {
  test('every templates folder under dist/ and the bundled worker\'s have their precompiled.js, with each template', () => {
    for (const [dir, templates] of [
      [path.join(DIST, 'haproxy', 'templates'), ['haproxy.cfg.njk']],
      [path.join(DIST, 'nginx', 'templates'), ['nginx.conf.njk']],
      [path.join(DIST, 'keepalived', 'templates'), ['keepalived.conf.njk']],
      [path.join(ROOT, 'dist', 'agent', 'worker', 'templates'), ['haproxy.cfg.njk', 'keepalived.conf.njk', 'nginx.conf.njk']],
    ] as const) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const compiled = require(path.join(dir, 'precompiled.js'));
      expect(Object.keys(compiled).sort()).toEqual([...templates]);
      for (const t of templates) expect(typeof compiled[t].root).toBe('function');
    }
  });

  test.each(names)('haproxy %s: haproxy.cfg and keepalived.conf equal the golden files', (name) => {
    const out = load('haproxy/index.js').renderHaproxy(validExample(name), load('haproxy/golden-context.js').GOLDEN_CONTEXT);
    expect(out.files['haproxy.cfg']).toBe(read(path.join(ROOT, 'renderers', 'haproxy', 'golden', `${name}.cfg`)));
    expect(out.files['keepalived.conf'] ?? null).toBe(read(path.join(ROOT, 'renderers', 'keepalived', 'golden', `${name}.conf`)));
  });

  test.each(names)('nginx %s: nginx.conf equals the golden file', (name) => {
    const out = load('nginx/index.js').renderNginx(validExample(name), load('nginx/golden-context.js').NGINX_GOLDEN_CONTEXT);
    expect(out.files['nginx.conf']).toBe(read(path.join(ROOT, 'renderers', 'nginx', 'golden', `${name}.conf`)));
  });

  test('a missing variable is still an error, not an empty string (throwOnUndefined travels with the precompiled code)', () => {
    expect(() => load('haproxy/index.js').printHaproxy({})).toThrow(/undefined/i);
  });
});
