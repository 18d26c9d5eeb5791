/**
 * `nginx -t` accepts what the renderer writes: each contract example (on a
 * loopback VIP: nginx -t binds the listen addresses) staged in a config dir
 * (relative certificate paths resolve against it), 30 generated valid
 * documents, and every hostile variant the validator and nginx's capability
 * check let through. Addresses in 127.50.1.0/24.
 */
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Document } from '../../schemas';
import { checkCapabilities, nginxCapabilities } from '../../renderers';
import { renderNginx } from '../../renderers/nginx';
import { tempDir, writeRendered } from '../lib/haproxy-harness';
import { checkNginxConfig } from '../lib/nginx-harness';
import { exampleNames, loadExample } from '../lib/examples';
import { RENDER_CTX, valid } from '../lib/render-fixtures';
import { nginxFit, validDocArb } from '../lib/render-arbitraries';
import { acceptedHostileVariants, HOSTILE } from '../lib/render-hostile';

const CAPS = nginxCapabilities('1.22.1');
const VIP = '127.50.1.1';
let root = '';
let n = 0;
beforeAll(() => {
  root = tempDir('amph-ngx-check');
  // nginx -t creates the pid file (empty) to see that it can
  fs.mkdirSync(path.join(root, 'run'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Renders into a fresh staged dir and runs `nginx -t` on it. */
function check(doc: Document): { ok: boolean; output: string; conf: string } {
  const dir = path.join(root, `stage-${n++}`);
  const out = renderNginx(doc, { ...RENDER_CTX, capabilities: CAPS, runDir: path.join(root, 'run') });
  writeRendered(dir, out);
  return { ...checkNginxConfig(dir, path.join(root, 'prefix')), conf: out.files['nginx.conf'] };
}

/** Moves a document's addresses to loopback (nginx -t binds the listeners). */
function onLoopback(doc: Document): Document {
  doc.loadbalancer.vip_address = VIP;
  doc.loadbalancer.additional_vips = doc.loadbalancer.additional_vips.filter((v) => v.ip_address === '::1');
  for (const l of doc.loadbalancer.listeners) if (l.allowed_cidrs) l.allowed_cidrs = l.allowed_cidrs.filter((c) => !c.includes(':'));
  return doc;
}

test.each(exampleNames())('example %s (without what nginx refuses of it) passes nginx -t from a staged dir', (name) => {
  const raw = loadExample(name);
  raw.loadbalancer.listeners = raw.loadbalancer.listeners.filter((l: { protocol: string }) => l.protocol !== 'PROMETHEUS');
  for (const p of raw.loadbalancer.pools) {
    p.ca_tls_container_data = null;
    p.crl_container_data = null;
  }
  delete raw.amphora;
  raw.loadbalancer.additional_vips = [];
  for (const l of raw.loadbalancer.listeners) if (l.allowed_cidrs) l.allowed_cidrs = l.allowed_cidrs.filter((c: string) => !c.includes(':'));
  const doc = onLoopback(valid(raw));
  expect(checkCapabilities(doc, CAPS)).toEqual([]);
  const r = check(doc);
  expect(r.output).toBe('');
  expect(r.ok).toBe(true);
});

test('30 generated valid documents nginx serves all pass nginx -t', () => {
  let checked = 0;
  for (const raw of fc.sample(validDocArb(5).map(nginxFit), { numRuns: 30, seed: 4242 })) {
    const doc = onLoopback(valid(raw));
    expect(checkCapabilities(doc, CAPS)).toEqual([]);
    checked++;
    const r = check(doc);
    if (!r.ok) throw new Error(`nginx -t refused a rendered valid document:\n${r.output}\n${r.conf}`);
  }
  expect(checked).toBe(30);
});

test('every hostile variant the validator and the capability check accept passes nginx -t', () => {
  let accepted = 0;
  for (const { place, value, doc } of acceptedHostileVariants()) {
    if (checkCapabilities(doc, CAPS).length) continue;
    doc.amphora = null;
    accepted++;
    const r = check(onLoopback(doc));
    if (!r.ok) throw new Error(`${place.name} <- ${JSON.stringify(value)}: nginx -t refused:\n${r.output}`);
  }
  expect(accepted).toBeGreaterThan(Object.keys(HOSTILE).length * 3);
});
