import { mapLimit } from './pool';

test('keeps order and never runs more than the limit at once', async () => {
  let running = 0;
  let peak = 0;
  const resolvers: (() => void)[] = [];
  const p = mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((r) => resolvers.push(r));
    running--;
    return n * 10;
  });
  // release one waiting call at a time, in reverse order, until all are done
  while (resolvers.length || running) {
    await new Promise((r) => setImmediate(r));
    resolvers.pop()?.();
  }
  expect(await p).toEqual([10, 20, 30, 40, 50, 60, 70]);
  expect(peak).toBe(3);
});

test('an empty list, a limit above the count, and a bad limit', async () => {
  expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  expect(await mapLimit(['a'], 50, async (s, i) => `${s}${i}`)).toEqual(['a0']);
  await expect(mapLimit([1], 0, async () => 1)).rejects.toThrow(/positive integer/);
});
