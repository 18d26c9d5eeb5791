import { beat } from '../test/lib/ctl-fixtures';
import { heartbeatDifferences } from './heartbeat-match';

const H = 'a'.repeat(64);

test('the same listeners, pools and members with the expected hash match (stats and seq do not matter)', () => {
  const n = beat('amp-new', H, { seq: 99 });
  n.listeners.l1.stats.totconns = 1234;
  expect(heartbeatDifferences(beat('amp-old', H), n, H)).toEqual([]);
});

test('every difference is named', () => {
  const old = beat('amp-old', H);
  const neu = beat('amp-new', 'b'.repeat(64), {
    listeners: { l1: { status: 'DOWN', stats: old.listeners.l1.stats }, l9: { status: 'OPEN', stats: old.listeners.l1.stats } },
    pools: { 'p1:l1': { status: 'DOWN', members: { m1: 'DOWN', m3: 'UP' } } },
  });
  expect(heartbeatDifferences(old, neu, H)).toEqual([
    `the new VM reports config_hash ${'b'.repeat(64)}, not ${H}`,
    'listener l9 reported by the new VM only',
    'listener l1 is DOWN on the new VM, OPEN on the old',
    'pool p1:l1 is DOWN on the new VM, UP on the old',
    'pool p1:l1 member m2 reported by the old VM only',
    'pool p1:l1 member m3 reported by the new VM only',
    'member m1 of pool p1:l1 is DOWN on the new VM, UP on the old',
  ]);
});

test('an old VM serving something else, a missing pool, and members omitted for size', () => {
  expect(heartbeatDifferences(beat('amp-old', 'c'.repeat(64)), beat('amp-new', H, { pools: {} }), H)).toEqual([
    `the old VM reports config_hash ${'c'.repeat(64)}, not ${H}`,
    'pool p1:l1 reported by the old VM only',
  ]);
  const omitted = beat('amp-new', H, { pools: { 'p1:l1': { status: 'UP', members: {} } }, members_omitted: ['p1:l1'] });
  expect(heartbeatDifferences(beat('amp-old', H), omitted, H)).toEqual([]);
});
