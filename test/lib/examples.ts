/** Loads the contract's examples (../shared/contract/examples beside the repository). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './agent-harness';

// from the repository root, so that benches compiled into dist/ find them too
export const EXAMPLES_DIR = path.resolve(ROOT, '../shared/contract/examples');

/** Names of the example files, e.g. `http-basic.json`. */
export function exampleNames(): string[] {
  return fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
}

/** A fresh parsed copy of one example (raw JSON, not validated). */
export function loadExample(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name.endsWith('.json') ? name : `${name}.json`), 'utf8'));
}
