import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger, nullLogger } from '../log';
import { FLUSH_MS, HealthMonitor, LOG_EACH_MAX, type MonitorTimers } from './monitor';
import { checkTargets } from './targets';
import { basic, m1, m2, rawDoc, rawListener, rawMember, rawPool, valid } from '../../test/lib/render-fixtures';

const hm = { healthmonitor_id: 'hm', type: 'HTTP', delay: 2, timeout: 1, max_retries: 2, max_retries_down: 3, url_path: '/h', http_version: 1.1, domain_name: 'app.example', expected_codes: '200-204' };

/** Timers run by hand: `tick()` runs whatever is due, in order. */
function manualTimers() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: MonitorTimers = {
    setTimeout: (fn, ms) => (due.set(++seq, { at: now + ms, fn }), seq),
    clearTimeout: (h) => void due.delete(h as number),
  };
  const tick = async (ms: number) => {
    now += ms;
    for (;;) {
      const next = [...due.entries()].filter(([, d]) => d.at <= now).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      due.delete(next[0]);
      next[1].fn();
      // let the probe's promise settle
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  };
  return { timers, tick, pending: () => due.size };
}

test('checkTargets: members of served pools with an enabled monitor, with its check, timing and thresholds', () => {
  const doc = valid(rawDoc(
    [rawListener('l1', 80, 'p1'), rawListener('l2', 81, 'p2', { admin_state_up: false })],
    [
      rawPool('p1', [m1, rawMember('m2', '192.0.2.2', 80, { monitor_address: '192.0.2.9', monitor_port: 8080 }), rawMember('m3', '192.0.2.3', 80, { admin_state_up: false })], { healthmonitor: hm }),
      rawPool('p2', [rawMember('m4', '192.0.2.4', 80)], { healthmonitor: { ...hm, healthmonitor_id: 'hm2' } }),
    ],
  ));
  const t = checkTargets(doc);
  expect(t.map((x) => [x.memberId, x.target])).toEqual([['m1', { address: '192.0.2.1', port: 80 }], ['m2', { address: '192.0.2.9', port: 8080 }]]);
  expect(t[0]).toMatchObject({ kind: 'http', delayMs: 2000, timeoutMs: 1000, rise: 2, fall: 3, http: { method: 'GET', path: '/h', version: 1.1, host: 'app.example', expected: '200-204' } });
  const ping = { healthmonitor_id: 'hp', type: 'PING', delay: 2, timeout: 1, max_retries: 2 };
  expect(checkTargets(valid(basic({ healthmonitor: ping })))[0].kind).toBe('tcp');
  expect(checkTargets(valid(basic({ healthmonitor: { ...hm, admin_state_up: false } })))).toEqual([]);
});

describe('HealthMonitor', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('fall failures in a row take a member DOWN, rise successes bring it back; each change is told once', async () => {
    const t = manualTimers();
    const results: Record<string, boolean> = { m1: true, m2: true };
    let changes = 0;
    const mon = new HealthMonitor({ stateFile: path.join(dir, 'h.json'), log: nullLogger(), onChange: () => changes++, probe: async (x) => results[x.memberId], timers: t.timers });
    mon.update(valid(basic({ healthmonitor: hm }, {}, [m1, m2])));
    await t.tick(0);
    expect([mon.state('m1'), mon.state('m2'), mon.down()]).toEqual(['UP', 'UP', []]);
    results.m2 = false;
    await t.tick(2000);
    await t.tick(2000);
    expect(mon.state('m2')).toBe('UP');
    await t.tick(2000);
    // the state at once, the change told once its window ends
    expect([mon.state('m2'), mon.down(), changes]).toEqual(['DOWN', ['m2'], 0]);
    await t.tick(FLUSH_MS);
    expect(changes).toBe(1);
    results.m2 = true;
    await t.tick(2000 - FLUSH_MS);
    expect(mon.state('m2')).toBe('DOWN');
    await t.tick(2000);
    await t.tick(FLUSH_MS);
    expect([mon.state('m2'), mon.down(), changes]).toEqual(['UP', [], 2]);
    expect(mon.state('unknown')).toBeNull();
    mon.stop();
    expect(t.pending()).toBe(0);
  });

  test('states survive an agent restart while the check is the same; a changed check starts UP', async () => {
    const file = path.join(dir, 'h.json');
    const t = manualTimers();
    const a = new HealthMonitor({ stateFile: file, log: nullLogger(), onChange: () => undefined, probe: async () => false, timers: t.timers });
    a.update(valid(basic({ healthmonitor: { ...hm, max_retries_down: 1 } })));
    await t.tick(0);
    expect(a.down()).toEqual(['m1', 'm2']);
    a.stop();
    const b = new HealthMonitor({ stateFile: file, log: nullLogger(), onChange: () => undefined, probe: async () => false, timers: manualTimers().timers });
    // before the document is known (the restore at start) the remembered states render
    expect(b.down()).toEqual(['m1', 'm2']);
    b.update(valid(basic({ healthmonitor: { ...hm, max_retries_down: 1 } }, {}, [m1, rawMember('m2', '192.0.2.2', 8080)])));
    expect(b.down()).toEqual(['m1']);
    b.stop();
  });

  test('many members changing at once are told and logged together (one onChange, one summary line) and saved with every state', async () => {
    const t = manualTimers();
    const logs: { msg: string; count?: number; down?: number; first?: string[] }[] = [];
    const file = path.join(dir, 'h.json');
    let changes = 0;
    const members = Array.from({ length: 200 }, (_, i) => rawMember(`m${i}`, `192.0.2.${(i % 250) + 1}`, 1000 + i));
    const mon = new HealthMonitor({ stateFile: file, log: createLogger({ debug: false, write: (l) => void logs.push(JSON.parse(l)) }), onChange: () => changes++, probe: async () => false, timers: t.timers });
    mon.update(valid(basic({ healthmonitor: { ...hm, max_retries_down: 1 } }, {}, members)));
    await t.tick(0);
    expect(mon.down()).toHaveLength(200);
    const before = fs.readFileSync(file, 'utf8');
    expect(changes).toBe(0);
    await t.tick(FLUSH_MS);
    expect(changes).toBe(1);
    const told = logs.filter((l) => l.msg === 'member health changed');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ count: 200, down: 200 });
    expect(told[0].first).toHaveLength(LOG_EACH_MAX);
    expect(fs.readFileSync(file, 'utf8')).not.toBe(before);
    expect(Object.values(JSON.parse(fs.readFileSync(file, 'utf8')).members as Record<string, { up: boolean }>).filter((m) => !m.up)).toHaveLength(200);
    mon.stop();
    expect(t.pending()).toBe(0);
  });

  test('a member dropped from the document stops being checked; a probe in flight for it changes nothing', async () => {
    const t = manualTimers();
    let release: (ok: boolean) => void = () => undefined;
    let changes = 0;
    const mon = new HealthMonitor({ stateFile: path.join(dir, 'h.json'), log: nullLogger(), onChange: () => changes++, probe: () => new Promise((r) => (release = r)), timers: t.timers });
    mon.update(valid(basic({ healthmonitor: { ...hm, max_retries_down: 1 } }, {}, [m1])));
    await t.tick(0);
    mon.update(null);
    release(false);
    await Promise.resolve();
    expect([mon.down(), changes, t.pending()]).toEqual([[], 0, 0]);
  });
});
