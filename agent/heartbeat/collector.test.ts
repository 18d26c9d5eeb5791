import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { heartbeatPlan } from '../../test/lib/heartbeat-doc';
import { BackendSpec, FrontendSpec, showInfo, showStat } from '../../test/lib/heartbeat-show-stat';
import { nullLogger } from '../log';
import { AppliedConfig, EngineStats, HeartbeatCollector } from './collector';
import { CounterStore } from './counters';

const serves = heartbeatPlan(
  [{ id: 'l1' }, { id: 'l2', protocol: 'TCP' }, { id: 'lu', protocol: 'UDP' }, { id: 'loff', enabled: false }],
  { 'p1:l1': ['m1', 'm2', 'm3', 'm4'], 'p2:l2': ['m5', 'm6'] },
);
const applied: AppliedConfig = { generation: 3, configHash: 'h3', serves };

describe('heartbeat collector', () => {
  let dir: string;
  let stats: EngineStats | null;
  let current: AppliedConfig | null;
  const make = () =>
    new HeartbeatCollector({
      amphoraId: 'amp-1',
      getApplied: () => current,
      readStats: async () => stats,
      counters: new CounterStore(path.join(dir, 'counters.json'), () => 1000),
      logger: nullLogger(),
    });
  const set = (pid: number, uptime: number, fe: FrontendSpec[], be: BackendSpec[]) => (stats = { showStat: showStat(fe, be), showInfo: showInfo(pid, uptime) });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-collector-'));
    current = applied;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('no applied config, or engine not running: no message', async () => {
    set(1, 1, [], []);
    current = null;
    expect(await make().collect()).toEqual({ ok: false, skip: 'no_config' });
    current = applied;
    stats = null;
    expect(await make().collect()).toEqual({ ok: false, skip: 'engine_down' });
  });

  test('builds the message: statuses, deltas, only what the document serves through haproxy', async () => {
    set(
      10,
      5,
      [
        { name: 'l1', scur: 2, stot: 10, bin: 1000, bout: 5000, ereq: 1 },
        { name: 'l2', scur: 50, slim: 50, stot: 60 },
        { name: 'stats-internal' },
        { name: 'loff', status: 'STOP' },
      ],
      [
        { name: 'p1:l1', servers: [{ name: 'm1', status: 'UP' }, { name: 'm2', status: 'DOWN 1/2' }, { name: 'm3', status: 'UP', weight: 0 }, { name: 'm4', status: 'MAINT' }] },
        { name: 'p2:l2', status: 'DOWN', servers: [{ name: 'm5', status: 'DOWN' }, { name: 'm6', status: 'no check' }] },
        { name: 'p9:l1', servers: [{ name: 'x', status: 'UP' }] },
      ],
    );
    const r = await make().collect();
    expect(r).toEqual({
      ok: true,
      engineRestarted: false, // first sight of an engine is no restart
      message: {
        id: 'amp-1',
        seq: 1001,
        ver: 3,
        listeners: {
          l1: { status: 'OPEN', stats: { tx: 5000, rx: 1000, conns: 2, totconns: 10, ereq: 1 } },
          l2: { status: 'FULL', stats: { tx: 0, rx: 0, conns: 50, totconns: 60, ereq: 0 } },
          // not served by haproxy: reported DOWN so Octavia's listener count matches
          lu: { status: 'DOWN', stats: { tx: 0, rx: 0, conns: 0, totconns: 0, ereq: 0 } },
        },
        pools: {
          'p1:l1': { status: 'UP', members: { m1: 'UP', m2: 'DOWN', m3: 'DRAIN', m4: 'MAINT' } },
          'p2:l2': { status: 'UP', members: { m5: 'DOWN', m6: 'no check' } },
        },
        generation: 3,
        config_hash: 'h3',
      },
    });
  });

  test('deltas survive an agent restart and a haproxy reload, without loss or double count', async () => {
    const fe = (stot: number, bin: number) => [{ name: 'l1', stot, bin, bout: bin * 2 }];
    set(10, 5, fe(10, 100), []);
    const first = await make().collect();
    set(10, 15, fe(14, 150), []);
    const c = make();
    const second = await c.collect();
    // agent restarted (a new collector and store over the same file): only the new traffic
    set(10, 25, fe(20, 400), []);
    const third = await make().collect();
    // haproxy reloaded: a new process with fresh counters
    set(11, 2, fe(3, 30), []);
    const fourth = await make().collect();
    // nothing happened
    const fifth = await make().collect();
    const seqs = [first, second, third, fourth, fifth].map((r) => (r.ok ? r.message.seq : -1));
    const tot = [first, second, third, fourth, fifth].map((r) => (r.ok ? r.message.listeners.l1.stats : null));
    expect(seqs).toEqual([1001, 1002, 1003, 1004, 1005]);
    expect(tot.map((s) => s?.totconns)).toEqual([10, 4, 6, 3, 0]);
    expect(tot.map((s) => s?.rx)).toEqual([100, 50, 250, 30, 0]);
    expect(tot.map((s) => s?.tx)).toEqual([200, 100, 500, 60, 0]);
    expect(fourth.ok && fourth.engineRestarted).toBe(true);
    expect(third.ok && third.engineRestarted).toBe(false);
  });

  test('a checkpoint before a reload keeps the old process traffic for the next message', async () => {
    const saves = jest.spyOn(CounterStore.prototype, 'save');
    const fe = (stot: number, bin: number) => [{ name: 'l1', stot, bin, bout: bin }];
    set(10, 5, fe(10, 100), []);
    expect((await make().collect()).ok).toBe(true);
    set(10, 8, fe(13, 130), []);
    expect(await make().checkpoint()).toBe(true); // 3 connections in the old process
    // a message's counters are synced, a checkpoint's (on the apply's path) are not
    expect(saves.mock.calls.map((c) => c[1])).toEqual([true, false]);
    saves.mockRestore();
    set(10, 9, fe(15, 150), []);
    expect(await make().checkpoint()).toBe(true); // 2 more, still the old process
    set(11, 1, fe(4, 40), []); // reloaded: the new process has seen 4
    const r = await make().collect();
    expect(r.ok && r.message.seq).toBe(1002); // checkpoints use no seq
    expect(r.ok && r.message.listeners.l1.stats).toMatchObject({ totconns: 9, rx: 90, tx: 90 });
    set(11, 2, fe(4, 40), []);
    const again = await make().collect();
    expect(again.ok && again.message.listeners.l1.stats).toMatchObject({ totconns: 0, rx: 0 }); // pending was sent once
    stats = null;
    expect(await make().checkpoint()).toBe(false); // engine not running
  });

  test('a checkpoint with no document applied yet (restore at start) takes the listeners it holds baselines for', async () => {
    current = null;
    set(10, 5, [{ name: 'l1', stot: 10 }], []);
    expect(await make().checkpoint()).toBe(false); // nothing known: no baselines, no document
    current = applied;
    expect((await make().collect()).ok).toBe(true);
    // the agent stops; 7 more connections; the new agent's restore reloads haproxy before the document counts as applied
    current = null;
    set(10, 9, [{ name: 'l1', stot: 17 }, { name: 'other', stot: 50 }], []);
    expect(await make().checkpoint()).toBe(true);
    current = applied;
    set(11, 1, [{ name: 'l1', stot: 2 }], []);
    const r = await make().collect();
    expect(r.ok && r.message.listeners.l1.stats.totconns).toBe(9);
    // `other` is not the document's; l2 (missing from haproxy) and lu (UDP) are reported DOWN
    expect(r.ok && Object.keys(r.message.listeners)).toEqual(['l1', 'l2', 'lu']);
    expect(r.ok && [r.message.listeners.l2.status, r.message.listeners.lu.status]).toEqual(['DOWN', 'DOWN']);
  });

  test('show info without Pid is an error, not a guess', async () => {
    stats = { showStat: showStat([], []), showInfo: 'Name: HAProxy\n' };
    await expect(make().collect()).rejects.toThrow(/Pid/);
  });
});
