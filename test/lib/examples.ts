/** Loads the contract's examples (contract/examples in the repository). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './root';

export const EXAMPLES_DIR = path.join(ROOT, 'contract/examples');

/** Names of the example files, e.g. `http-basic.json`. */
export function exampleNames(): string[] {
  return fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
}

/** A fresh parsed copy of one example (raw JSON, not validated). */
export function loadExample(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name.endsWith('.json') ? name : `${name}.json`), 'utf8'));
}
