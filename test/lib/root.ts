/** The repository root, from the sources (test/lib) or from the build (dist/test/lib). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = ((): string => {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).name === 'amphora-agent') return d;
    } catch {
      // keep walking up
    }
  }
  return path.resolve(__dirname, '../..');
})();
