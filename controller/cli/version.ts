/** This package's version, from the nearest package.json named amphora-agent (sources or dist/). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The version string, or "unknown". */
export function agentVersionOf(start: string = __dirname): string {
  for (let dir = start; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'amphora-agent') return pkg.version ?? 'unknown';
    } catch {
      // not here; keep walking up
    }
  }
  return 'unknown';
}
