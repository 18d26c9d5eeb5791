#!/usr/bin/env node
// Rewrites the renderers' golden files from the contract examples. Run only on purpose, after
// `npm run build`, and review the diff: `node scripts/regen-golden.js && git diff renderers/*/golden`.
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');
const { validateDocument } = require(path.join(root, 'dist/schemas'));
const { renderHaproxy } = require(path.join(root, 'dist/renderers'));
const { GOLDEN_CONTEXT } = require(path.join(root, 'dist/renderers/haproxy/golden-context'));

const examples = path.join(root, 'contract/examples');
const hDir = path.join(root, 'renderers/haproxy/golden');
const kDir = path.join(root, 'renderers/keepalived/golden');
fs.mkdirSync(hDir, { recursive: true });
fs.mkdirSync(kDir, { recursive: true });
for (const f of fs.readdirSync(examples).filter((x) => x.endsWith('.json')).sort()) {
  const name = f.replace(/\.json$/, '');
  const v = validateDocument(JSON.parse(fs.readFileSync(path.join(examples, f), 'utf8')));
  if (!v.ok) throw new Error(`${f} does not validate: ${JSON.stringify(v.errors)}`);
  const out = renderHaproxy(v.doc, GOLDEN_CONTEXT);
  fs.writeFileSync(path.join(hDir, `${name}.cfg`), out.files[out.main]);
  const listing = Object.keys(out.files).sort().map((p) => `${p}${out.secrets.includes(p) ? ' secret' : ''}\n`).join('');
  fs.writeFileSync(path.join(hDir, `${name}.files.txt`), listing);
  const ka = path.join(kDir, `${name}.conf`);
  if (out.files['keepalived.conf']) fs.writeFileSync(ka, out.files['keepalived.conf']);
  else if (fs.existsSync(ka)) fs.unlinkSync(ka);
  console.log(`${name}: ${Object.keys(out.files).length} files`);
}
