import { debounce, type DebounceTimers } from './debounce';

function clock() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: DebounceTimers = { setTimeout: (fn, ms) => (due.set(++seq, { at: now + ms, fn }), seq), clearTimeout: (h) => void due.delete(h as number), now: () => now };
  const advance = async (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...due.entries()].filter(([, d]) => d.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      now = next[1].at;
      due.delete(next[0]);
      next[1].fn();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    now = end;
  };
  return { timers, advance, now: () => now };
}

test('changes within the settle time run the action once; runs are at least minInterval apart; the last change is never lost', async () => {
  const c = clock();
  const runs: number[] = [];
  const d = debounce(async () => void runs.push(c.now()), { settleMs: 200, minIntervalMs: 2000, timers: c.timers });
  d.trigger();
  await c.advance(100);
  d.trigger();
  await c.advance(199);
  expect(runs).toEqual([]);
  await c.advance(1);
  expect(runs).toEqual([300]);
  // a flapping member: ten changes in a second cost one more run, 2 s after the first
  for (let i = 0; i < 10; i++) {
    d.trigger();
    await c.advance(100);
  }
  await c.advance(5000);
  expect(runs).toEqual([300, 2300]);
  await d.stop();
});

test('a change while the action runs runs it again afterwards; a failing action does not stop later runs', async () => {
  const c = clock();
  let release: () => void = () => undefined;
  let n = 0;
  const d = debounce(() => {
    n++;
    if (n === 1) return new Promise<void>((r) => (release = r));
    return Promise.reject(new Error('boom'));
  }, { settleMs: 10, minIntervalMs: 0, timers: c.timers });
  d.trigger();
  await c.advance(10);
  d.trigger();
  await c.advance(100);
  expect(n).toBe(1);
  release();
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await c.advance(10);
  expect(n).toBe(2);
  d.trigger();
  await c.advance(10);
  expect(n).toBe(3);
  await d.stop();
});
