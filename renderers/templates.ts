/**
 * How every renderer's template is compiled: one set of nunjucks settings,
 * and the template compiled ahead of time when the build made it so.
 * Compiling a template (lexing, parsing, generating its code) costs the
 * validation worker ~10 ms at each start, and a worker starts after every
 * idle pause: the build (scripts/copy-assets.js, scripts/bundle-worker.js)
 * writes each templates folder's `precompiled.js` with `precompileTemplates`,
 * and `compiledTemplate` takes it. From the sources (ts-jest), the `.njk`
 * file is compiled as it loads. The settings are the same either way, and
 * test/integration/templates-precompiled.test.ts renders the golden files
 * with the precompiled ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as nunjucks from 'nunjucks';

/** The settings: our views are escaped in TypeScript (no HTML autoescape); a missing variable is an error, not an empty string. */
export const TEMPLATE_OPTIONS: nunjucks.ConfigureOptions = { autoescape: false, throwOnUndefined: true, trimBlocks: true, lstripBlocks: true };

/** A templates folder's templates compiled ahead of time (a CommonJS module: template name -> compiled template). */
export const PRECOMPILED_FILE = 'precompiled.js';

/** Template `name` of folder `dir`, compiled: from the folder's precompiled module when there is one, else from its `.njk` file. */
export function compiledTemplate(dir: string, name: string): nunjucks.Template {
  const precompiled = path.join(dir, PRECOMPILED_FILE);
  const loader = fs.existsSync(precompiled)
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      new nunjucks.PrecompiledLoader(require(precompiled) as unknown as unknown[])
    : new nunjucks.FileSystemLoader(dir);
  return new nunjucks.Environment(loader, TEMPLATE_OPTIONS).getTemplate(name, true);
}

/** The source of a `precompiled.js` holding the `.njk` files given (name -> path), compiled with TEMPLATE_OPTIONS. */
export function precompileTemplates(files: Record<string, string>): string {
  const env = new nunjucks.Environment(null, TEMPLATE_OPTIONS);
  // nunjucks hands the wrapper an array of templates (its typings say one)
  const bare = ((templates: { template: string }[]) => templates.map((t) => t.template).join('')) as unknown as nunjucks.PrecompileOptions['wrapper'];
  const parts = Object.entries(files).map(([name, file]) => {
    const code = nunjucks.precompile(file, { name, env, wrapper: bare });
    return `${JSON.stringify(name)}: (function () {\n${code}\n})()`;
  });
  return `// made by the build from the .njk files beside it (renderers/templates.ts); do not edit\nmodule.exports = {\n${parts.join(',\n')}\n};\n`;
}
