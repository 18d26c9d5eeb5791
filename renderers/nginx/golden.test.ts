/** The rendered files of each contract example equal the reviewed golden files (scripts/regen-golden-nginx.js). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkCapabilities } from '../index';
import { renderNginx } from './index';
import { NGINX_GOLDEN_CONTEXT } from './golden-context';
import { exampleNames } from '../../test/lib/examples';
import { validExample } from '../../test/lib/render-fixtures';

const GOLDEN = path.join(__dirname, 'golden');
const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null);

describe.each(exampleNames().map((f) => f.replace(/\.json$/, '')))('golden %s', (name) => {
  const out = renderNginx(validExample(name), NGINX_GOLDEN_CONTEXT);

  test('nginx.conf matches', () => {
    expect(out.main).toBe('nginx.conf');
    expect(out.files['nginx.conf']).toBe(read(path.join(GOLDEN, `${name}.conf`)));
  });

  test('the set of files and secrets matches', () => {
    const listing = Object.keys(out.files).sort().map((p) => `${p}${out.secrets.includes(p) ? ' secret' : ''}\n`).join('');
    expect(listing).toBe(read(path.join(GOLDEN, `${name}.files.txt`)));
  });

  test('what nginx refuses of it matches', () => {
    const refused = checkCapabilities(validExample(name), NGINX_GOLDEN_CONTEXT.capabilities).map((r) => `${r.path}: ${r.message}\n`).join('');
    expect(refused).toBe(read(path.join(GOLDEN, `${name}.refused.txt`)));
  });

  test('rendering twice gives the same files; the token file holds the token the status server answers', () => {
    expect(renderNginx(validExample(name), NGINX_GOLDEN_CONTEXT)).toEqual(out);
    const token = out.files['config-token'].trim();
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(out.files['nginx.conf']).toContain(`location = /config-token {\n            return 200 "${token}";`);
  });
});
