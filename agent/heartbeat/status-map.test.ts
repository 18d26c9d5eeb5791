import { listenerStatus, memberStatus, poolStatus } from './status-map';

describe('member status, as Octavia reports it', () => {
  test.each([
    ['UP', '1', 'UP'],
    ['UP 1/3', '1', 'UP'],
    ['UP', '0', 'DRAIN'],
    ['DRAIN', '0', 'DRAIN'],
    ['NOLB', '1', 'DRAIN'],
    ['NOLB 1/2', '1', 'DRAIN'],
    ['DOWN', '1', 'DOWN'],
    ['DOWN 1/2', '1', 'DOWN'],
    ['MAINT', '1', 'MAINT'],
    ['MAINT (via p/s)', '1', 'MAINT'],
    ['MAINT(resolution)', '1', 'MAINT'],
    ['no check', '1', 'no check'],
    ['no check', '0', 'no check'],
    ['SOMETHING', '1', null],
  ])('%s weight %s -> %s', (status, weight, want) => expect(memberStatus({ status, weight })).toBe(want));
});

describe('pool status', () => {
  test.each([
    [{ a: 'UP' }, 'UP'],
    [{ a: 'DOWN', b: 'no check' }, 'UP'],
    [{ a: 'DOWN', b: 'MAINT', c: 'DRAIN' }, 'DOWN'],
    [{ a: 'DRAIN' }, 'DOWN'],
  ] as const)('%j -> %s', (members, want) => expect(poolStatus({ status: 'UP' }, { ...members })).toBe(want));

  test('an empty pool follows haproxy', () => {
    expect(poolStatus({ status: 'UP' }, {})).toBe('UP');
    expect(poolStatus({ status: 'DOWN' }, {})).toBe('DOWN');
    expect(poolStatus(undefined, {})).toBe('DOWN');
  });
});

describe('listener status', () => {
  test.each([
    [{ status: 'OPEN', scur: '3', slim: '50' }, 'OPEN'],
    [{ status: 'OPEN', scur: '50', slim: '50' }, 'FULL'],
    [{ status: 'FULL', scur: '50', slim: '50' }, 'FULL'],
    [{ status: 'OPEN', scur: '50', slim: '' }, 'OPEN'],
    [{ status: 'STOP', scur: '0', slim: '50' }, 'DOWN'],
    [{ status: 'PAUSED', scur: '0', slim: '50' }, 'DOWN'],
  ])('%j -> %s', (row, want) => expect(listenerStatus(row)).toBe(want));
});
