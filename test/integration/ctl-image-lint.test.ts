/**
 * The image's scripts and unit, checked without building anything:
 * shellcheck over `images/build`, `images/make-bundle` and every script of the
 * amphora-agent element, the element's layout as diskimage-builder reads it,
 * and `systemd-analyze security --offline` on the unit. (`systemd-analyze
 * verify` needs the tree the unit points into: ctl-image.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../lib/agent-harness';

const ELEMENT = path.join(ROOT, 'images/elements/amphora-agent');
const hookDirs = ['extra-data.d', 'install.d', 'post-install.d'];
const scripts = () => [
  path.join(ROOT, 'images/build'),
  path.join(ROOT, 'images/make-bundle'),
  ...[...hookDirs, 'environment.d'].flatMap((d) => fs.readdirSync(path.join(ELEMENT, d)).map((f) => path.join(ELEMENT, d, f))),
];

test('shellcheck finds nothing in the image scripts', () => {
  const files = scripts();
  expect(files.length).toBeGreaterThanOrEqual(6);
  const r = spawnSync('shellcheck', ['-x', ...files], { encoding: 'utf8' });
  if (r.error) throw new Error(`shellcheck is needed (apt-get install shellcheck): ${r.error.message}`);
  expect({ status: r.status, out: r.stdout }).toEqual({ status: 0, out: '' });
});

test('hook scripts are executable with a bash shebang and stop on errors; environment files are sourced, not run', () => {
  for (const d of hookDirs) {
    for (const f of fs.readdirSync(path.join(ELEMENT, d))) {
      const p = path.join(ELEMENT, d, f);
      const text = fs.readFileSync(p, 'utf8');
      expect([p, (fs.statSync(p).mode & 0o111) !== 0, text.startsWith('#!/bin/bash\n'), /^set -eu$/m.test(text) && /^set -o pipefail$/m.test(text)]).toEqual([p, true, true, true]);
    }
  }
  for (const f of fs.readdirSync(path.join(ELEMENT, 'environment.d'))) expect(f).toMatch(/\.bash$/);
  expect(fs.readFileSync(path.join(ELEMENT, 'element-deps'), 'utf8').split('\n').filter(Boolean)).toEqual(expect.arrayContaining(['package-installs', 'install-static', 'dib-init-system']));
});

test('the unit\'s exposure score (systemd-analyze security --offline)', () => {
  const r = spawnSync('systemd-analyze', ['security', '--offline=true', path.join(ROOT, 'images/amphora-agent.service')], { encoding: 'utf8' });
  const m = /Overall exposure level for amphora-agent\.service: ([\d.]+)/.exec(`${r.stdout}${r.stderr}`);
  expect(m).not.toBeNull();
  expect(Number(m![1])).toBeLessThanOrEqual(3.5);
  // each setting images/README.md promises is there
  const unit = fs.readFileSync(path.join(ROOT, 'images/amphora-agent.service'), 'utf8');
  for (const k of ['ProtectSystem=strict', 'ProtectHome=yes', 'NoNewPrivileges=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_NET_ADMIN CAP_NET_RAW']) expect(unit).toContain(`\n${k}\n`);
});
