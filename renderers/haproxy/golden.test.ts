/** The rendered files of each contract example equal the reviewed golden files (scripts/regen-golden.js). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderHaproxy } from '../index';
import { GOLDEN_CONTEXT } from './golden-context';
import { exampleNames } from '../../test/lib/examples';
import { validExample } from '../../test/lib/render-fixtures';

const HAPROXY_GOLDEN = path.join(__dirname, 'golden');
const KEEPALIVED_GOLDEN = path.join(__dirname, '../keepalived/golden');
const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null);

describe.each(exampleNames().map((f) => f.replace(/\.json$/, '')))('golden %s', (name) => {
  const out = renderHaproxy(validExample(name), GOLDEN_CONTEXT);

  test('haproxy.cfg matches', () => {
    expect(out.main).toBe('haproxy.cfg');
    expect(out.files['haproxy.cfg']).toBe(read(path.join(HAPROXY_GOLDEN, `${name}.cfg`)));
  });

  test('the set of files and secrets matches', () => {
    const listing = Object.keys(out.files).sort().map((p) => `${p}${out.secrets.includes(p) ? ' secret' : ''}\n`).join('');
    expect(listing).toBe(read(path.join(HAPROXY_GOLDEN, `${name}.files.txt`)));
  });

  test('keepalived.conf matches (or is absent in both)', () => {
    expect(out.files['keepalived.conf'] ?? null).toBe(read(path.join(KEEPALIVED_GOLDEN, `${name}.conf`)));
  });

  test('rendering twice gives the same files', () => {
    expect(renderHaproxy(validExample(name), GOLDEN_CONTEXT)).toEqual(out);
  });
});
