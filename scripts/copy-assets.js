#!/usr/bin/env node
// Writes the non-TypeScript assets beside the compiled code in dist/: each renderer's
// nunjucks templates, compiled ahead of time into its templates folder's precompiled.js
// (renderers/templates.ts; the compiled renderers read only that).
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');
const { precompileTemplates, PRECOMPILED_FILE } = require(path.join(root, 'dist', 'renderers', 'templates.js'));
const { templatesByDir } = require('./template-files');

for (const [dir, files] of templatesByDir(path.join(root, 'renderers'))) {
  const dst = path.join(root, 'dist', path.relative(root, dir));
  fs.mkdirSync(dst, { recursive: true });
  fs.writeFileSync(path.join(dst, PRECOMPILED_FILE), precompileTemplates(files));
}
