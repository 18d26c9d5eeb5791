#!/usr/bin/env node
// Rewrites the nginx renderer's golden files from the contract examples. Run only on purpose, after
// `npm run build`, and review the diff: `node scripts/regen-golden-nginx.js && git diff renderers/nginx/golden`.
// An example that asks for what nginx refuses is rendered all the same (the renderer leaves the refused
// parts out) and its refusals are written beside it, so the golden files show both.
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');
const { validateDocument } = require(path.join(root, 'dist/schemas'));
const { renderNginx, checkCapabilities } = require(path.join(root, 'dist/renderers'));
const { NGINX_GOLDEN_CONTEXT } = require(path.join(root, 'dist/renderers/nginx/golden-context'));

const EXAMPLES_DIR = path.join(root, 'contract/examples');
const dir = path.join(root, 'renderers/nginx/golden');
fs.mkdirSync(dir, { recursive: true });
for (const f of fs.readdirSync(EXAMPLES_DIR).filter((x) => x.endsWith('.json')).sort()) {
  const name = f.replace(/\.json$/, '');
  const v = validateDocument(JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, f), 'utf8')));
  if (!v.ok) throw new Error(`${f} does not validate: ${JSON.stringify(v.errors)}`);
  const out = renderNginx(v.doc, NGINX_GOLDEN_CONTEXT);
  fs.writeFileSync(path.join(dir, `${name}.conf`), out.files[out.main]);
  const listing = Object.keys(out.files).sort().map((p) => `${p}${out.secrets.includes(p) ? ' secret' : ''}\n`).join('');
  fs.writeFileSync(path.join(dir, `${name}.files.txt`), listing);
  const refused = checkCapabilities(v.doc, NGINX_GOLDEN_CONTEXT.capabilities).map((r) => `${r.path}: ${r.message}\n`).join('');
  fs.writeFileSync(path.join(dir, `${name}.refused.txt`), refused);
  console.log(`${name}: ${Object.keys(out.files).length} files, ${refused.split('\n').length - 1} refusal(s)`);
}
