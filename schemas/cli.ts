#!/usr/bin/env node
/** `node dist/schemas/cli.js FILE...`: validates documents and prints every error with its path. */
import * as fs from 'node:fs';
import { validateDocument } from './validate';

function main(files: string[]): number {
  if (!files.length || files.includes('--help')) {
    process.stdout.write('usage: validate-document FILE.json...\nValidates contract documents; exit 1 if any is invalid.\n');
    return files.length ? 0 : 2;
  }
  let bad = 0;
  for (const f of files) {
    let input: unknown;
    try {
      input = JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch (e) {
      process.stdout.write(`${f}: cannot read JSON: ${(e as Error).message}\n`);
      bad++;
      continue;
    }
    const r = validateDocument(input);
    if (r.ok) {
      const lb = r.doc.loadbalancer;
      process.stdout.write(`${f}: valid (generation ${r.doc.generation}, ${lb.listeners.length} listeners, ${lb.pools.length} pools)\n`);
    } else {
      bad++;
      process.stdout.write(`${f}: ${r.errors.length} error(s)\n`);
      for (const e of r.errors) process.stdout.write(`  ${e.path}: ${e.message}\n`);
    }
  }
  return bad ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
