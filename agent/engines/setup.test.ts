import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../config';
import { createLogger } from '../log';
import type { ProcessRunner } from '../process-runner';
import { setupEngine } from './setup';

const V = 'nginx version: nginx/1.22.1\nconfigure arguments: --with-stream=dynamic --modules-path=/usr/lib/nginx/modules';
const BIND = 'nginx: [emerg] bind() to 192.0.2.1:80 failed (99: Cannot assign requested address)';

describe('setupEngine with engine = nginx', () => {
  let dir: string;
  let logs: Record<string, unknown>[];
  const runner: ProcessRunner = {
    run: async (_cmd, args) => (args[0] === '-V' ? { code: 0, signal: null, stdout: '', stderr: V } : { code: 1, signal: null, stdout: '', stderr: BIND }),
    isAlive: () => false,
    kill: () => false,
    cmdline: () => null,
  };
  const cfg = (extra = '') => parseConfig(`[amphora_agent]\nagent_server_ca = /ca.pem\nagent_server_cert = /cert.pem\nengine = nginx\nstate_dir = ${dir}/state\n${extra}`);
  const sysctl = (v4: string) => {
    fs.mkdirSync(path.join(dir, 'sys/net/ipv4'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sys/net/ipv4/ip_nonlocal_bind'), v4);
  };
  const setup = (extra = '') => setupEngine(cfg(extra), runner, createLogger({ debug: true, write: (l) => logs.push(JSON.parse(l)) }), { procSys: path.join(dir, 'sys') });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-engine-'));
    logs = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('removes a drain flag an interrupted reload left, and says so', async () => {
    sysctl('1\n');
    const flag = path.join(dir, 'state/run/nginx-drain');
    fs.mkdirSync(path.dirname(flag), { recursive: true });
    fs.writeFileSync(flag, '');
    await setup();
    expect(fs.existsSync(flag)).toBe(false);
    expect(logs).toEqual([expect.objectContaining({ level: 'info', msg: expect.stringMatching(/removed a drain flag/), flag })]);
  });

  test('turns on non-local binds; nginx -t\'s bind failures then are nginx\'s words alone', async () => {
    sysctl('0\n');
    const { engine } = await setup();
    expect(fs.readFileSync(path.join(dir, 'sys/net/ipv4/ip_nonlocal_bind'), 'utf8')).toBe('1\n');
    expect((await engine.check(path.join(dir, 'c'), 'nginx.conf')).output).toBe(BIND);
  });

  test('non-local binds it may not turn on: a warning, and nginx -t\'s bind failure says why (the 422 of an apply)', async () => {
    sysctl('0\n');
    const { engine } = await setup('nginx_nonlocal_bind = False');
    expect(logs).toEqual([expect.objectContaining({ level: 'warn' })]);
    const r = await engine.check(path.join(dir, 'c'), 'nginx.conf');
    expect(r).toEqual({ ok: false, output: `${BIND}\nnet.ipv4.ip_nonlocal_bind is 0 (nginx_nonlocal_bind = False: the agent leaves it): nginx cannot bind a VIP this VM does not hold (a BACKUP amphora's)` });
  });
});
