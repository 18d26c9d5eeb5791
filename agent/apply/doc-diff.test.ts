import { firstDifference } from './doc-diff';

test.each<[string, unknown, unknown, string | null]>([
  ['equal', { a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 2 }] }, null],
  ['generation and members are not differences', { generation: 1, p: { members: [1] } }, { generation: 2, p: { members: [2, 3] } }, null],
  ['a nested field', { lb: { listeners: [{ port: 1 }, { port: 2 }] } }, { lb: { listeners: [{ port: 1 }, { port: 3 }] } }, 'lb.listeners[1].port'],
  ['a key only in one', { lb: {} }, { lb: { name: 'x' } }, 'lb.name'],
  ['an array length', { l: [1] }, { l: [1, 2] }, 'l[1]'],
])('%s', (_what, a, b, path) => {
  expect(firstDifference(a, b)).toBe(path);
});
