/**
 * `keepalived --config-test` accepts the keepalived.conf rendered for UDP and
 * SCTP listeners and for ACTIVE_STANDBY VRRP: the examples, generated
 * documents and every hostile variant the validator lets through. VRRP needs
 * an existing non-loopback interface: the first one of this machine.
 */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Document } from '../../schemas';
import { renderHaproxy } from '../../renderers';
import { keepalivedRuntimePaths } from '../../renderers/keepalived/runtime-paths';
import { writeRuntimeScripts } from '../../agent/keepalived/runtime-scripts';
import { tempDir } from '../lib/haproxy-harness';
import { exampleNames, loadExample } from '../lib/examples';
import { RENDER_CTX, valid } from '../lib/render-fixtures';
import { validDocArb } from '../lib/render-arbitraries';
import { acceptedHostileVariants } from '../lib/render-hostile';

const IFACE = Object.entries(os.networkInterfaces()).find(([, a]) => a?.some((x) => !x.internal))?.[0] ?? 'eth0';
let dir = '';
let n = 0;
beforeAll(() => {
  dir = tempDir('amphora-keepalived');
  // --config-test refuses a track script that does not exist: the agent writes them first, so does this test
  writeRuntimeScripts(keepalivedRuntimePaths(path.join(dir, 'run')), 'haproxy', { pidFile: path.join(dir, 'run/haproxy.pid'), cmdlineMarker: path.join(dir, 'run/master.sock') });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function configTest(doc: Document): { status: number | null; output: string; conf: string } {
  const conf = renderHaproxy(doc, { ...RENDER_CTX, runDir: path.join(dir, 'run'), vrrpInterface: IFACE }).files['keepalived.conf'];
  const f = path.join(dir, `keepalived-${n++}.conf`);
  fs.writeFileSync(f, conf);
  const r = spawnSync('keepalived', ['--config-test', '-f', f], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, conf };
}

const needing = exampleNames().filter((name) => {
  const raw = loadExample(name);
  return raw.amphora?.topology === 'ACTIVE_STANDBY' || raw.loadbalancer.listeners.some((l: { protocol: string }) => l.protocol === 'UDP' || l.protocol === 'SCTP');
});

test('some examples need keepalived', () => expect(needing.length).toBeGreaterThan(0));

test.each(needing)('example %s passes keepalived --config-test', (name) => {
  const r = configTest(valid(loadExample(name)));
  expect(r.output).toBe('');
  expect(r.status).toBe(0);
});

test('generated documents with UDP listeners and VRRP pass keepalived --config-test', () => {
  const docs = fc.sample(validDocArb(5), { numRuns: 60, seed: 77 }).filter((d) => d.loadbalancer.listeners.some((l: { protocol: string }) => l.protocol === 'UDP'));
  expect(docs.length).toBeGreaterThan(10);
  docs.forEach((raw, i) => {
    if (i % 2 === 0) raw.amphora = { id: 'amp-a', topology: 'ACTIVE_STANDBY', role: i % 4 ? 'BACKUP' : 'MASTER', vrrp_address: '10.0.0.11', vrrp_peers: [{ id: 'amp-b', address: '10.0.0.12' }] };
    const r = configTest(valid(raw));
    if (r.status !== 0) throw new Error(`keepalived refused (${r.status}):\n${r.output}\n${r.conf}`);
  });
});

test('every hostile variant the validator accepts passes keepalived --config-test', () => {
  let accepted = 0;
  for (const { place, value, doc } of acceptedHostileVariants()) {
    accepted++;
    const r = configTest(doc);
    if (r.status !== 0) throw new Error(`${place.name} <- ${JSON.stringify(value)}: keepalived refused:\n${r.output}\n${r.conf}`);
  }
  expect(accepted).toBeGreaterThan(0);
});
