import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { bindReceiver, HeartbeatReceiver } from '../../controller/receiver';
import { showInfo, showStat } from '../../test/lib/heartbeat-show-stat';
import type { AgentConfig } from '../config';
import type { DaemonView } from '../daemon';
import type { EngineStatus } from '../engines/types';
import { nullLogger } from '../log';
import { heartbeatPlan } from '../../test/lib/heartbeat-doc';
import { COUNTERS_FILE, startHeartbeatCompanion } from './companion';

/** A fake haproxy stats socket in `dir`: records each command and answers `show stat` with `stat()`, the rest with `show info`. */
async function statsSocket(dir: string, stat: (asked: string[]) => string) {
  const sock = path.join(dir, 'haproxy.sock');
  const asked: string[] = [];
  const server = net.createServer((c) => c.once('data', (d) => {
    asked.push(d.toString().trim());
    c.end(d.toString().startsWith('show stat') ? stat(asked) : showInfo(9, 9));
  }));
  await new Promise<void>((r) => server.listen(sock, r));
  const close = () => (server.listening ? new Promise((r) => server.close(r)) : Promise.resolve());
  return { sock, asked, close };
}

describe('heartbeat companion', () => {
  test('wired over a daemon view: sends what the engine reports, reports itself, keeps counters in the state dir', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-companion-'));
    const { sock, close } = await statsSocket(dir, () => showStat([{ name: 'l', stot: 2 }], [{ name: 'p:l', servers: [{ name: 'm', status: 'UP' }] }]));
    const receiver = new HeartbeatReceiver({ key: 'k' });
    const bound = await bindReceiver(receiver, '127.30.3.1', 0);
    let running = false;
    const view = {
      config: { amphoraId: 'amp-c', heartbeatKey: 'k', heartbeatInterval: 10, controllers: [{ host: '127.30.3.1', port: bound.address.port }], stateDir: dir } as AgentConfig,
      log: nullLogger(),
      applied: () => ({ generation: 5, hash: 'h5', document: {}, serves: heartbeatPlan([{ id: 'l' }], { 'p:l': ['m'] }) }),
      engineStatus: async () => ({ running, statsSocket: sock }) as EngineStatus,
    } as unknown as DaemonView;
    const c = startHeartbeatCompanion(view);
    try {
      // made before the daemon restores (its reload hook must be there), beating only once the daemon is ready
      expect(c.report!()).toMatchObject({ running: false, last_result: null });
      c.ready!();
      expect(c.report!()).toMatchObject({ running: true });
      expect(await c.heartbeat.beat()).toEqual({ sent: false, reason: 'engine_down' });
      running = true;
      expect(await c.heartbeat.beat()).toMatchObject({ sent: true });
      const deadline = Date.now() + 5000;
      while (receiver.accepted < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(receiver.amphora('amp-c')!.message).toMatchObject({ generation: 5, config_hash: 'h5', pools: { 'p:l': { status: 'UP', members: { m: 'UP' } } } });
      expect(c.report!()).toMatchObject({ targets: [`127.30.3.1:${bound.address.port}`], last_send_error: null, last_result: 'sent', running: true });
      expect(fs.existsSync(path.join(dir, COUNTERS_FILE))).toBe(true);
    } finally {
      await c.stop();
      await bound.close();
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('before a reload: haproxy\'s counters are taken (the reload resets them); nginx\'s reading is not built (its totals are the agent\'s and survive the reload)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-companion-'));
    const { sock, asked, close } = await statsSocket(dir, () => showStat([{ name: 'l', stot: 7 }], []));
    const base = {
      config: { amphoraId: 'amp-c', heartbeatKey: 'k', heartbeatInterval: 10, controllers: [], stateDir: dir } as unknown as AgentConfig,
      log: nullLogger(),
      applied: () => ({ generation: 5, hash: 'h5', document: {}, serves: heartbeatPlan([{ id: 'l' }], {}) }),
      engineStatus: async () => ({ running: true, statsSocket: sock }) as EngineStatus,
    };
    let readings = 0;
    const haproxy = startHeartbeatCompanion(base as unknown as DaemonView);
    const nginx = startHeartbeatCompanion({ ...base, engineReading: async () => (readings++, null) } as unknown as DaemonView);
    try {
      await haproxy.beforeReload!();
      expect(asked.some((q) => q.startsWith('show stat'))).toBe(true);
      const counters = JSON.parse(fs.readFileSync(path.join(dir, COUNTERS_FILE), 'utf8'));
      expect(JSON.stringify(counters)).toContain('"stot":7');
      asked.length = 0;
      await nginx.beforeReload!();
      expect(readings).toBe(0);
      expect(asked).toEqual([]);
    } finally {
      await haproxy.stop();
      await nginx.stop();
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a checkpoint asks the stats socket the engine last named, without asking the engine again; a beat asks it first', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-companion-'));
    const { sock, asked, close } = await statsSocket(dir, (seen) => showStat([{ name: 'l', stot: seen.length }], []));
    let statuses = 0;
    const view = {
      config: { amphoraId: 'amp-c', heartbeatKey: 'k', heartbeatInterval: 10, controllers: [{ host: '127.30.3.1', port: 9 }], stateDir: dir } as unknown as AgentConfig,
      log: nullLogger(),
      applied: () => ({ generation: 5, hash: 'h5', document: {}, serves: heartbeatPlan([{ id: 'l' }], { 'p:l': ['m'] }) }),
      engineStatus: async () => (statuses++, { running: true, statsSocket: sock }) as EngineStatus,
    } as unknown as DaemonView;
    const c = startHeartbeatCompanion(view);
    const counters = () => fs.readFileSync(path.join(dir, COUNTERS_FILE), 'utf8');
    try {
      // the first one knows no socket yet: the engine names it
      await c.beforeReload!();
      expect(statuses).toBe(1);
      await c.beforeReload!();
      expect(statuses).toBe(1);
      // the frontends alone, and the counters taken
      expect(asked.filter((q) => q.startsWith('show stat'))).toEqual(['show stat -1 1 -1', 'show stat -1 1 -1']);
      const taken = counters();
      // a beat reads the whole show stat, the engine asked first
      expect(await c.heartbeat.beat()).toMatchObject({ sent: true });
      expect(statuses).toBe(2);
      expect(asked.filter((q) => q.startsWith('show stat')).pop()).toBe('show stat');
      // haproxy gone: the socket nobody answers is an engine not running, and the counters stay as they were
      await close();
      fs.rmSync(sock, { force: true });
      const before = asked.length;
      await c.beforeReload!();
      expect(statuses).toBe(2);
      expect(asked.length).toBe(before);
      expect(counters()).not.toBe('');
      expect(JSON.parse(counters()).seq).toBe(JSON.parse(taken).seq + 1);
    } finally {
      await c.stop();
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
