import { parseVrrpState } from './vrrp-state';
import { probeIpvs } from './ipvs';
import type { ProcessRunner } from '../process-runner';

const at = new Date('2026-03-04T05:06:07.089Z');

test.each([
  ['MASTER 100\n', { state: 'MASTER', priority: 100, since: '2026-03-04T05:06:07.089Z' }],
  ['BACKUP 90', { state: 'BACKUP', priority: 90, since: '2026-03-04T05:06:07.089Z' }],
  ['FAULT\n', { state: 'FAULT', priority: null, since: '2026-03-04T05:06:07.089Z' }],
  ['', null],
  ['master 100', null],
  ['INSTANCE "x" MASTER 100', null],
])('parseVrrpState(%j)', (text, want) => expect(parseVrrpState(text, at)).toEqual(want));

const runner = (code: number | 'ENOENT', loads = false): { r: ProcessRunner; loaded: { v: boolean } } => {
  const loaded = { v: false };
  return {
    loaded,
    r: {
      run: async () => {
        if (code === 'ENOENT') throw Object.assign(new Error('spawn modprobe ENOENT'), { code: 'ENOENT' });
        if (loads) loaded.v = true;
        return { code, signal: null, stdout: '', stderr: code ? 'modprobe: FATAL: Module ip_vs not found in directory /lib/modules/6.1\n' : '' };
      },
      isAlive: () => false, kill: () => false, cmdline: () => null,
    },
  };
};

test('IPVS present: no modprobe', async () => {
  const { r } = runner(1);
  expect(await probeIpvs({ runner: r, exists: () => true })).toEqual({ available: true, reason: null });
});

test('IPVS loaded by modprobe', async () => {
  const x = runner(0, true);
  expect(await probeIpvs({ runner: x.r, exists: () => x.loaded.v })).toEqual({ available: true, reason: null });
});

test.each([
  [1, 'this kernel has no IPVS: "modprobe ip_vs" failed (modprobe: FATAL: Module ip_vs not found in directory /lib/modules/6.1) and /proc/net/ip_vs does not exist'],
  ['ENOENT' as const, 'this kernel has no IPVS: "modprobe ip_vs" could not run (ENOENT) and /proc/net/ip_vs does not exist'],
  [0, 'this kernel has no IPVS: "modprobe ip_vs" succeeded but /proc/net/ip_vs does not exist'],
])('no IPVS (modprobe %s): says why', async (code, reason) => {
  const { r } = runner(code);
  expect(await probeIpvs({ runner: r, exists: () => false })).toEqual({ available: false, reason });
});
