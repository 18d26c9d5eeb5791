#!/usr/bin/env node
// Copies the non-TypeScript assets (nunjucks templates) next to the compiled code in dist/, and
// compiles each templates folder ahead of time into its precompiled.js (renderers/templates.ts).
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');
function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'golden') walk(p, out); }
    else if (/\.(njk)$/.test(e.name)) out.push(p);
  }
  return out;
}
for (const src of walk(path.join(root, 'renderers'), [])) {
  const dst = path.join(root, 'dist', path.relative(root, src));
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(src, dst);
}
const { precompileTemplates, PRECOMPILED_FILE } = require(path.join(root, 'dist', 'renderers', 'templates.js'));
const byDir = new Map();
for (const src of walk(path.join(root, 'renderers'), [])) {
  const dst = path.join(root, 'dist', path.relative(root, src));
  const dir = path.dirname(dst);
  byDir.set(dir, { ...byDir.get(dir), [path.basename(dst)]: dst });
}
for (const [dir, files] of byDir) fs.writeFileSync(path.join(dir, PRECOMPILED_FILE), precompileTemplates(files));
