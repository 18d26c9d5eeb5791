/** The LVS plan the heartbeat reads: enabled UDP/SCTP listeners, their virtual servers per VIP, every member of the pool. */
import { rawDoc, rawListener, rawMember, rawPool, valid } from '../../test/lib/render-fixtures';
import { lvsPlan } from './lvs-plan';

const members = [rawMember('m1', '192.0.2.1', 53), rawMember('m2', '192.0.2.2', 53, { admin_state_up: false }), rawMember('m6', '2001:db8::6', 53)];
const doc = (pool = {}, extraListeners: Record<string, unknown>[] = []) => valid(rawDoc(
  [rawListener('lu', 53, 'pu', { protocol: 'UDP' }), rawListener('lh', 80, null), rawListener('loff', 54, 'pu', { protocol: 'UDP', admin_state_up: false }), ...extraListeners],
  [rawPool('pu', members, { protocol: 'UDP', healthmonitor: { healthmonitor_id: 'h', type: 'UDP-CONNECT', delay: 5, timeout: 3, max_retries: 2 }, ...pool })],
  { additional_vips: [{ ip_address: 'fd60::100' }] },
));

test('one entry per enabled UDP/SCTP listener, a virtual server per VIP that has members of its family', () => {
  expect(lvsPlan(doc())).toEqual([{
    listenerId: 'lu', protocol: 'UDP', poolKey: 'pu:lu', monitored: true,
    services: [{ address: '127.10.0.1', port: 53 }, { address: 'fd60::100', port: 53 }],
    members: [
      { id: 'm1', address: '192.0.2.1', port: 53, enabled: true },
      { id: 'm2', address: '192.0.2.2', port: 53, enabled: false },
      { id: 'm6', address: '2001:db8::6', port: 53, enabled: true },
    ],
  }]);
});

test('a disabled pool: no pool, no virtual server; a disabled monitor: not monitored; SCTP without a pool', () => {
  expect(lvsPlan(doc({ admin_state_up: false }))[0]).toMatchObject({ poolKey: null, services: [], members: [] });
  expect(lvsPlan(doc({ healthmonitor: { healthmonitor_id: 'h', type: 'UDP-CONNECT', delay: 5, timeout: 3, max_retries: 2, admin_state_up: false } }))[0].monitored).toBe(false);
  expect(lvsPlan(doc({}, [rawListener('ls', 5060, null, { protocol: 'SCTP' })]))[1]).toEqual({ listenerId: 'ls', protocol: 'SCTP', poolKey: null, services: [], members: [], monitored: false });
});
