import { nginxMemberStatus, nginxPoolStatus, nginxReading } from './nginx-reading';
import { NginxLogReceiver } from './nginx-log';
import { basic, m1, m2, rawDoc, rawListener, rawMember, rawPolicy, rawPool, rawRule, valid } from '../../test/lib/render-fixtures';
import type { ProcNetReader } from '../engines/proc-net';

const m = (extra = {}) => valid(basic({}, {}, [rawMember('x', '192.0.2.1', 80, extra)])).loadbalancer.pools[0].members[0];
const pool = valid(basic()).loadbalancer.pools[0];

test.each([
  [{}, 'UP', 'UP'],
  [{}, 'DOWN', 'DOWN'],
  [{}, null, 'no check'],
  [{ weight: 0 }, 'UP', 'DRAIN'],
  [{ admin_state_up: false }, 'UP', 'MAINT'],
])('member %p checked %p -> %p', (extra, checked, want) => expect(nginxMemberStatus(m(extra), pool, checked as 'UP' | null)).toBe(want));

test('a disabled pool has its members MAINT and is DOWN; a pool is UP while a member takes traffic, and when empty', () => {
  expect(nginxMemberStatus(m(), { ...pool, admin_state_up: false }, 'UP')).toBe('MAINT');
  expect(nginxPoolStatus({ a: 'MAINT', b: 'DOWN' })).toBe('DOWN');
  expect(nginxPoolStatus({ a: 'DOWN', b: 'no check' })).toBe('UP');
  expect(nginxPoolStatus({})).toBe('UP');
});

test('a reading: listeners OPEN when bound with their connections and log totals, pools per listener', () => {
  const doc = valid(rawDoc(
    [rawListener('l1', 80, 'p1', { l7policies: [rawPolicy('pol', 'REDIRECT_TO_POOL', [rawRule('r', 'PATH', 'STARTS_WITH', '/x')], { redirect_pool_id: 'p2' })] }), rawListener('l2', 81, 'p2')],
    [rawPool('p1', [m1, m2]), rawPool('p2', [rawMember('m3', '192.0.2.3', 80)])],
    { vip_address: '127.0.0.1' },
  ));
  const tcp = `sl local rem st\n 0: 0100007F:0050 00000000:0000 0A\n 1: 0100007F:0050 0200007F:D000 01\n`;
  const read: ProcNetReader = (t) => (t === 'tcp' ? tcp : '');
  const log = new NginxLogReceiver(null);
  log.add('<190>Nov 28 21:35:39 amphora: h 80 100 200 1 200');
  const r = nginxReading(doc, log, (id) => (id === 'm2' ? 'DOWN' : null), read);
  expect(r.listeners).toEqual(new Map([['l1', { status: 'OPEN', conns: 1 }], ['l2', { status: 'DOWN', conns: 0 }]]));
  expect(r.totals.l1).toEqual({ bin: 100, bout: 200, stot: 1, ereq: 0 });
  expect([...r.pools.keys()]).toEqual(['p1:l1', 'p2:l1', 'p2:l2']);
  expect(r.pools.get('p1:l1')).toEqual({ status: 'UP', members: { m1: 'no check', m2: 'DOWN' } });
  expect(r.engine).toEqual(log.current());
});
