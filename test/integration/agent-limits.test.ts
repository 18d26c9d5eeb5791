/**
 * Slow clients and systemd's abstract notify sockets, against the real agent:
 * a client that stops sending mid-request is cut off after
 * agent_request_read_timeout while others are served, and NOTIFY_SOCKET="@name"
 * reaches a listener on an abstract unix datagram socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { AgentProcess, makeCerts, tempDir, until, type Certs } from '../lib/agent-harness';

jest.setTimeout(60000);

const NET = '127.20.6';
let work: string;
let certs: Certs;
let agent: AgentProcess;
let listener: ChildProcess;
let received = '';
const abstractName = `amphora-agent-test-${process.pid}`;

beforeAll(async () => {
  work = tempDir('agent-limits-');
  certs = makeCerts(`${work}/certs`, `${NET}.1`);
  // node cannot bind abstract datagram sockets; Debian's python3 can
  listener = spawn('/usr/bin/python3', ['-u', '-c', [
    'import socket,sys',
    's=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    `s.bind("\\0${abstractName}")`,
    'print("bound", flush=True)',
    'while True: print(s.recv(4096).decode().replace("\\n", "|"), flush=True)',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
  listener.stdout!.on('data', (d: Buffer) => (received += d.toString()));
  await until('the abstract socket listener', () => received.includes('bound'));
  agent = new AgentProcess({ ip: `${NET}.1`, certs, readTimeout: 2, env: { NOTIFY_SOCKET: `@${abstractName}` } }, work);
  await agent.start();
});

afterAll(async () => {
  await agent?.cleanup();
  listener?.kill();
  fs.rmSync(work, { recursive: true, force: true });
});

it('sends READY=1 to an abstract NOTIFY_SOCKET', async () => {
  await until('READY=1 on the abstract socket', () => /READY=1\|STATUS=no document applied/.test(received));
});

it('cuts off a client slower than agent_request_read_timeout without holding up others', async () => {
  const slow = tls.connect({ host: `${NET}.1`, port: agent.port, ca: fs.readFileSync(certs.ca), cert: fs.readFileSync(certs.controllerCert), key: fs.readFileSync(certs.controllerKey), servername: 'localhost' });
  let answer = '';
  const closed = new Promise<void>((r) => slow.on('close', () => r()));
  slow.on('data', (d) => (answer += d));
  slow.on('error', () => undefined);
  await new Promise<void>((r) => slow.once('secureConnect', () => r()));
  slow.write('PUT /v1/loadbalancer HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"generation":');
  // another client is served while the slow one hangs
  expect((await agent.api('GET', '/v1/info')).status).toBe(200);
  // the agent closes it (with node's 408 when it gets to answer); the test never closes it
  await closed;
  expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
});
