/**
 * The agent's keepalived scripts run by /bin/sh, as keepalived runs them: the
 * engine check against live, dead, zombie and foreign processes, and the
 * notify script reading a real FIFO.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keepalivedRuntimePaths } from '../../renderers/keepalived/runtime-paths';
import { writeRuntimeScripts } from '../../agent/keepalived/runtime-scripts';
import { readVrrpState } from '../../agent/keepalived/vrrp-state';
import { alive, tempDir, until } from '../lib/agent-harness';

jest.setTimeout(30000);

let dir: string;
let rt: ReturnType<typeof keepalivedRuntimePaths>;
const procs: ChildProcess[] = [];
const pidFile = () => path.join(dir, "run/it's haproxy.pid");
const MARKER = 'amphora-agent-test-marker';

beforeAll(() => {
  dir = tempDir('ka-scripts-');
  rt = keepalivedRuntimePaths(path.join(dir, 'run'));
  // a quote in the path: the scripts must quote it
  writeRuntimeScripts(rt, 'haproxy', { pidFile: pidFile(), cmdlineMarker: MARKER });
});

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await until('test processes to exit', () => procs.every((p) => p.pid === undefined || !alive(p.pid)), 5000);
  fs.rmSync(dir, { recursive: true, force: true });
});

const check = (): number | null => spawnSync('/bin/sh', [rt.checkScript], { encoding: 'utf8' }).status;
const keep = (p: ChildProcess) => (procs.push(p), p);

/** A live shell whose command line carries the marker (`sh -c CMD NAME`; CMD is not the last command, so sh does not exec away). */
const marked = () => keep(spawn('/bin/sh', ['-c', 'sleep 600; : "$0"', MARKER], { stdio: 'ignore' }));

test('exit 0 for a live process carrying the marker; 1 for one without it (a reused pid)', () => {
  fs.writeFileSync(pidFile(), `${marked().pid}\n`);
  expect(check()).toBe(0);
  fs.writeFileSync(pidFile(), `${keep(spawn('sleep', ['600'], { stdio: 'ignore' })).pid}\n`);
  expect(check()).toBe(1);
});

test('exit 1 when the process is gone, the pid file is missing or holds no pid', async () => {
  const r = marked();
  fs.writeFileSync(pidFile(), `${r.pid}\n`);
  expect(check()).toBe(0);
  r.kill('SIGKILL');
  await until('the process to go', () => !alive(r.pid!), 5000);
  expect(check()).toBe(1);
  for (const text of ['', 'abc\n', '-1\n', '12 13\n']) {
    fs.writeFileSync(pidFile(), text);
    expect(check()).toBe(1);
  }
  fs.rmSync(pidFile());
  expect(check()).toBe(1);
});

test('exit 1 for a zombie (kill -0 would say it lives)', async () => {
  // sh forks the marked child, then execs a sleep that never reaps it: once the child exits it stays a
  // zombie (the child waits a little first, so that the shell cannot reap it before the exec)
  const parent = keep(spawn('/bin/sh', ['-c', `/bin/sh -c 'sleep 0.3; exit 0; : "$0"' ${MARKER} & echo $!; exec sleep 600`], { stdio: ['ignore', 'pipe', 'ignore'] }));
  const zombie = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const state = () => {
    const stat = fs.readFileSync(`/proc/${zombie}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  };
  await until('the child to be a zombie', () => state() === 'Z', 10000);
  fs.writeFileSync(pidFile(), `${zombie}\n`);
  expect(spawnSync('kill', ['-0', String(zombie)]).status).toBe(0);
  expect(check()).toBe(1);
});

test('the notify script keeps the last state, rewriting the file only on a change of state', async () => {
  const fifo = path.join(dir, 'events.fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const script = keep(spawn('/bin/sh', [rt.notifyScript, fifo], { stdio: 'ignore' }));
  const w = fs.createWriteStream(fifo);
  const send = (line: string) => new Promise<void>((r) => w.write(`${line}\n`, () => r()));
  await send('INSTANCE "lb_x" BACKUP 100');
  await until('BACKUP', () => readVrrpState(rt.stateFile)?.state === 'BACKUP', 5000);
  await send('GROUP "g" MASTER 100');
  await send('INSTANCE "lb_x" MASTER 100');
  await until('MASTER', () => readVrrpState(rt.stateFile)?.state === 'MASTER', 5000);
  const since = readVrrpState(rt.stateFile)!.since;
  await new Promise((r) => setTimeout(r, 20)); // mtime granularity: a rewrite now would show
  await send('INSTANCE "lb_x" MASTER 100');
  await send('INSTANCE "lb_x" FAULT 100');
  await until('FAULT', () => readVrrpState(rt.stateFile)?.state === 'FAULT', 5000);
  expect(readVrrpState(rt.stateFile)!.since > since).toBe(true);
  const faultSince = readVrrpState(rt.stateFile)!.since;
  await send('INSTANCE "lb_x" FAULT 100');
  w.end();
  await new Promise((r) => script.once('exit', r));
  expect(readVrrpState(rt.stateFile)).toEqual({ state: 'FAULT', priority: 100, since: faultSince });
});
