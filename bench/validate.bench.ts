/**
 * How long validateDocument takes: each contract example, and generated
 * documents (test/lib/gen-large.ts: 1,000 HTTP listeners with their pools,
 * members, monitors and L7 policies).
 * `node dist/bench/validate.bench.js [--json]`
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { printHeader, runScenario } from './lib/runbench';
import { validateDocument } from '../schemas';
import { EXAMPLES_DIR as EXAMPLES } from '../test/lib/examples';
import { genLarge } from '../test/lib/gen-large';

const count = (doc: any) => {
  const lb = doc.loadbalancer;
  const members = lb.pools.reduce((n: number, p: any) => n + p.members.length, 0);
  const policies = lb.listeners.reduce((n: number, l: any) => n + l.l7policies.length, 0);
  return `${lb.listeners.length} listeners, ${lb.pools.length} pools, ${members} members, ${policies} policies`;
};

function mustValidate(name: string, doc: unknown): void {
  const r = validateDocument(doc);
  if (!r.ok) throw new Error(`${name} does not validate: ${JSON.stringify(r.errors.slice(0, 3))}`);
}

async function main(): Promise<void> {
  printHeader('validate');
  for (const f of fs.readdirSync(EXAMPLES).filter((n) => n.endsWith('.json')).sort()) {
    const doc = JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
    mustValidate(f, doc);
    await runScenario({ name: `example ${f}`, runs: 50, fn: () => validateDocument(doc), extra: () => ({ bytes: JSON.stringify(doc).length }) });
  }
  const shapes: [string, [number, number, number]][] = [
    ['large 1000 listeners x 10 members, no L7', [1000, 10, 0]],
    ['large gen-large 1000 10 5', [1000, 10, 5]],
  ];
  for (const [name, args] of shapes) {
    const doc = genLarge(...args);
    mustValidate(name, doc);
    await runScenario({ name, runs: 10, fn: () => validateDocument(doc), extra: () => ({ shape: `"${count(doc)}"`, bytes: JSON.stringify(doc).length }) });
  }
  // every listener broken twice: the cost of reporting thousands of errors at once
  const broken: any = genLarge(1000, 10, 5);
  for (const l of broken.loadbalancer.listeners) {
    l.protocol_port = 70000;
    l.l7policies[0].rules[0].value = 'bad\nvalue';
  }
  const errors = (() => {
    const r = validateDocument(broken);
    return r.ok ? 0 : r.errors.length;
  })();
  await runScenario({ name: 'large 1000 10 5 with 2000 errors', runs: 10, fn: () => validateDocument(broken), extra: () => ({ errors }) });
  // TLS on every listener, one shared certificate: parsed once per call
  const tls: any = genLarge(1000, 10, 0);
  const example = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'terminated-https-l7.json'), 'utf8'));
  const container = example.loadbalancer.listeners[0].default_tls_container_data;
  for (const l of tls.loadbalancer.listeners) Object.assign(l, { protocol: 'TERMINATED_HTTPS', default_tls_container_data: container });
  mustValidate('tls', tls);
  await runScenario({ name: 'large 1000 TERMINATED_HTTPS, one shared cert', runs: 10, fn: () => validateDocument(tls) });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
