#!/usr/bin/env node
// Bundles the validation worker (dist/agent/apply/prepare-worker.js and all it
// requires: zod, nunjucks, the schemas and renderers) into one file,
// dist/agent/worker/bundle.js, with the renderers' templates beside it, compiled.
// A worker starts after every idle pause: one file to read and compile, without
// the ~60 modules zod loads for translations nothing here uses, starts it
// ~20 ms sooner, and agent/worker/main.ts adds V8's code cache to it.
// Run after tsc (npm run build does).
const fs = require('fs');
const path = require('path');
const { templatesByDir } = require('./template-files');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'dist', 'agent', 'worker');

/**
 * zod's `z.locales` (every translation of its messages, ~60 modules) as an
 * empty namespace: nothing here reads it, and English, the messages the agent
 * answers with, is registered by zod's schemas from its own module
 * (zod/v4/locales/en), which stays. As webpack's IgnorePlugin is used for
 * moment's locales.
 */
const noZodLocales = {
  name: 'no-zod-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.c?js$/ }, (a) => (/[\\/]zod[\\/]v4[\\/]/.test(a.importer) ? { path: a.path, namespace: 'no-zod-locales' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'no-zod-locales' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/** The worker's bundle, dist/agent/worker/bundle.js. */
async function bundle(esbuild) {
  await esbuild.build({
    entryPoints: [path.join(root, 'dist', 'agent', 'apply', 'prepare-worker.js')],
    outfile: path.join(outDir, 'bundle.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // nunjucks requires these only to watch template files, which the agent never asks for
    external: ['chokidar', 'fsevents'],
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [noZodLocales],
  });
}

async function main() {
  // the folder holds main.js too (tsc's): only what this script makes is replaced (never a bundle of older code)
  fs.rmSync(path.join(outDir, 'bundle.js'), { force: true });
  fs.rmSync(path.join(outDir, 'templates'), { recursive: true, force: true });
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch {
    // a node_modules installed before esbuild was a dependency: the agent runs, its worker from the compiled modules
    console.warn('bundle-worker: esbuild is not installed (run npm ci): the validation worker runs from the compiled modules, ~40 ms slower to start');
    return;
  }
  try {
    await bundle(esbuild);
  } catch (e) {
    // esbuild without its binary for this platform, say: the agent runs, its worker from the compiled modules
    fs.rmSync(path.join(outDir, 'bundle.js'), { force: true });
    console.warn(`bundle-worker: bundling failed, the validation worker runs from the compiled modules (~40 ms slower to start): ${e.message}`);
    return;
  }

  // each renderer reads `templates/` beside its code (path.join(__dirname, 'templates')): in the bundle, beside it,
  // all in one folder, compiled ahead of time into one precompiled.js (renderers/templates.ts)
  const templates = path.join(outDir, 'templates');
  fs.mkdirSync(templates, { recursive: true });
  const files = {};
  for (const byName of templatesByDir(path.join(root, 'renderers')).values()) {
    for (const [name, file] of Object.entries(byName)) {
      if (files[name]) throw new Error(`template ${path.relative(root, file)} has the name of ${path.relative(root, files[name])}: the bundled worker keeps them in one folder`);
      files[name] = file;
    }
  }
  const { precompileTemplates, PRECOMPILED_FILE } = require(path.join(root, 'dist', 'renderers', 'templates.js'));
  fs.writeFileSync(path.join(templates, PRECOMPILED_FILE), precompileTemplates(files));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
