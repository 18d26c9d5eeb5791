/**
 * systemd's notify protocol against the real agent: the test binds a unix
 * datagram socket (unix-dgram), starts the agent with NOTIFY_SOCKET and
 * WATCHDOG_USEC pointing at it, and reads what arrives.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentProcess, alive, freePort, makeCerts, tempDir, until, type Certs } from '../lib/agent-harness';
import { get, startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { httpBasicDoc } from '../lib/agent-docs';

jest.setTimeout(60000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const unix = require('unix-dgram') as {
  createSocket(t: 'unix_dgram', cb: (msg: Buffer) => void): { bind(p: string): void; close(): void; on(e: string, cb: (x: unknown) => void): void };
};

const NET = '127.20.5';
let work: string;
let certs: Certs;
let agent: AgentProcess;
let backends: Backend[];
let vipPort: number;
let sock: ReturnType<typeof unix.createSocket>;
const messages: { at: number; lines: string[] }[] = [];
const has = (line: string, from = 0) => messages.slice(from).some((m) => m.lines.includes(line));

beforeAll(async () => {
  work = tempDir('agent-systemd-');
  certs = makeCerts(`${work}/certs`, `${NET}.1`);
  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
  vipPort = await freePort(`${NET}.2`);
  const notifyPath = path.join(work, 'notify.sock');
  sock = unix.createSocket('unix_dgram', (msg) => messages.push({ at: Date.now(), lines: msg.toString().split('\n') }));
  sock.bind(notifyPath);
  agent = new AgentProcess({ ip: `${NET}.1`, certs, env: { NOTIFY_SOCKET: notifyPath, WATCHDOG_USEC: '200000' } }, work);
});

afterAll(async () => {
  await agent?.cleanup();
  await stopBackends(backends ?? []);
  sock?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const doc = (g: number) => httpBasicDoc(g, { host: `${NET}.2`, port: vipPort }, backends, [1, g]);

it('sends STATUS while restoring, then READY=1 once the API answers, and WATCHDOG=1 at half of WATCHDOG_USEC', async () => {
  await agent.start();
  await until('READY=1', () => has('READY=1'));
  const first = messages.findIndex((m) => m.lines.includes('READY=1'));
  expect(messages.slice(0, first).some((m) => m.lines.some((l) => l.startsWith('STATUS=restoring')))).toBe(true);
  expect(messages[first].lines).toContain('STATUS=no document applied');
  await until('two WATCHDOG=1 pings', () => messages.filter((m) => m.lines.includes('WATCHDOG=1')).length >= 2);
});

it('wraps an apply in RELOADING=1 ... READY=1 with a STATUS naming the generation', async () => {
  const from = messages.length;
  expect((await agent.api('PUT', '/v1/loadbalancer', doc(1))).status).toBe(200);
  await until('READY=1 after the apply', () => has('STATUS=serving generation 1', from));
  const mine = messages.slice(from).filter((m) => !m.lines.includes('WATCHDOG=1'));
  expect(mine[0].lines).toEqual(['RELOADING=1', 'STATUS=applying generation 1']);
  expect(mine[1].lines).toEqual(['READY=1', 'STATUS=serving generation 1']);
});

it('sends STOPPING=1 on SIGTERM', async () => {
  const from = messages.length;
  expect(await agent.stop()).toBe(0);
  await until('STOPPING=1', () => has('STOPPING=1', from));
});

it('sends READY=1 only when the restored document already serves', async () => {
  const master = agent.masterPid()!;
  process.kill(master, 'SIGTERM');
  await until('haproxy to exit', () => !alive(master));
  const from = messages.length;
  let servedAtReady: boolean | null = null;
  const watch = until('READY=1 after restart', async () => {
    if (!has('READY=1', from)) return false;
    servedAtReady = (await get(`${NET}.2`, vipPort).catch(() => ({ status: 0 }))).status === 200;
    return true;
  }, 30000);
  await agent.start();
  await watch;
  expect(servedAtReady).toBe(true);
  expect(has('STATUS=serving generation 1', from)).toBe(true);
});
