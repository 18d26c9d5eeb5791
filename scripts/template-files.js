// The renderers' nunjucks templates, for the build scripts (copy-assets.js, bundle-worker.js).
const fs = require('fs');
const path = require('path');

/** The .njk files under `dir` (golden files aside), by folder: folder -> {name: path}. */
function templatesByDir(dir, out = new Map()) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'golden') templatesByDir(p, out); }
    else if (e.name.endsWith('.njk')) out.set(dir, { ...out.get(dir), [e.name]: p });
  }
  return out;
}

module.exports = { templatesByDir };
