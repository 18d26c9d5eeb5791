import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeDeltas, CounterStore, engineRestarted, EngineIdentity } from './counters';

const eng = (pid: string, uptimeSec: number, startTime: string | null = '100'): EngineIdentity => ({ pid, startTime, uptimeSec });
const t = (n: number) => ({ bin: n, bout: 2 * n, stot: n / 10, ereq: 0 });

describe('engine restart detection', () => {
  test.each([
    [null, eng('1', 5), true],
    [eng('1', 5), eng('1', 15), false],
    [eng('1', 5), eng('2', 15), true],
    [eng('1', 5, '100'), eng('1', 15, '200'), true],
    [eng('1', 50, null), eng('1', 3, null), true],
  ])('%j -> %j: %s', (prev, now, want) => expect(engineRestarted(prev, now)).toBe(want));
});

describe('deltas', () => {
  const prev = { seq: 1, engine: eng('1', 5), listeners: { a: t(100), gone: t(10) }, pending: {} };

  test('same process: the difference; a new listener: all of it; a removed one forgotten', () => {
    const r = computeDeltas(prev, eng('1', 15), { a: t(150), b: t(30) });
    expect(r.deltas).toEqual({ a: t(50), b: t(30) });
    expect(r.listeners).toEqual({ a: t(150), b: t(30) });
    expect(r.restarted).toBe(false);
  });

  test('a reload (new pid) starts from zero: the new counters are all new traffic', () => {
    const r = computeDeltas(prev, eng('2', 1), { a: t(20) });
    expect(r.deltas).toEqual({ a: t(20) });
    expect(r.restarted).toBe(true);
  });

  test('a counter that went down in the same process (clear counters) counts from zero', () => {
    const r = computeDeltas(prev, eng('1', 15), { a: { bin: 40, bout: 400, stot: 11, ereq: 0 } });
    expect(r.deltas.a).toEqual({ bin: 40, bout: 200, stot: 1, ereq: 0 });
  });
});

describe('counter store', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-counters-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('without a file seq starts at the clock in ms; a new store reads back what was saved', () => {
    const file = path.join(dir, 'c.json');
    const a = new CounterStore(file, () => 1_700_000_000_123.7);
    expect(a.load()).toEqual({ seq: 1_700_000_000_123, engine: null, listeners: {}, pending: {} });
    a.save({ seq: 9, engine: eng('7', 3), listeners: { x: t(10) }, pending: { x: t(20) } });
    const b = new CounterStore(file, () => 0);
    expect(b.load()).toEqual({ seq: 9, engine: eng('7', 3), listeners: { x: t(10) }, pending: { x: t(20) } });
    expect(fs.readdirSync(dir)).toEqual(['c.json']); // no temp file left
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test('a save that is not durable (a checkpoint before a reload) is read back all the same, with the mode and no temp file', () => {
    const file = path.join(dir, 'c.json');
    const a = new CounterStore(file, () => 0);
    a.save({ seq: 3, engine: eng('7', 3), listeners: {}, pending: {} });
    a.save({ seq: 3, engine: eng('7', 4), listeners: { x: t(10) }, pending: { x: t(20) } }, false);
    expect(new CounterStore(file, () => 0).load()).toEqual({ seq: 3, engine: eng('7', 4), listeners: { x: t(10) }, pending: { x: t(20) } });
    expect(fs.readdirSync(dir)).toEqual(['c.json']);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test('a file from before `pending` existed still loads', () => {
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ seq: 4, engine: null, listeners: { a: t(10) } }));
    expect(new CounterStore(file, () => 0).load()).toEqual({ seq: 4, engine: null, listeners: { a: t(10) }, pending: {} });
  });

  test('a corrupt file is reported and replaced by a fresh state', () => {
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, '{"seq": "x"');
    const problems: string[] = [];
    const s = new CounterStore(file, () => 5000, (m) => problems.push(m));
    expect(s.load()).toEqual({ seq: 5000, engine: null, listeners: {}, pending: {} });
    expect(problems).toHaveLength(1);
  });

  test('a failed write still keeps the new state in memory', () => {
    const s = new CounterStore(path.join(dir, 'no-such-dir', 'c.json'), () => 1);
    expect(() => s.save({ seq: 3, engine: null, listeners: {}, pending: {} })).toThrow();
    expect(s.load().seq).toBe(3);
  });
});
