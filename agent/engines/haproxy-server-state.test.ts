import type { ServedMember, ServePlan } from '../../renderers/types';
import { canonicalIp, filterServerState } from './haproxy-server-state';

const HEADER = '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';
const row = (be: string, id: number, name: string, addr: string, port: number, admin = 0, weight = 1) => `3 ${be} ${id} ${name} ${addr} 0 ${admin} ${weight} 1 2 8 2 0 6 0 0 0 - ${port} - 0 0 - - 0`;
const dump = ['1', HEADER, row('p1:l1', 1, 'm1', '192.0.2.1', 80), row('p1:l1', 2, 'm2', '2001:db8::2', 80), row('p1:l1', 3, 'gone', '192.0.2.3', 80), row('p2:l1', 1, 'm1', '192.0.2.1', 80), ''].join('\n');

const m = (id: string, address: string, port: number, extra: Partial<ServedMember> = {}): ServedMember => ({ id, address, port, weight: 1, enabled: true, spec: '', ...extra });
const plan = (members: ServedMember[], key = 'p1:l1'): ServePlan => ({
  reported: ['l1'], engine: [], lvs: [], otherBinds: [],
  pools: [{ key, poolId: key.split(':')[0], listenerId: 'l1', algorithm: 'ROUND_ROBIN', persistence: null, members }],
});

describe('filterServerState', () => {
  test('keeps members served unchanged, drops removed ones and pools no longer served', () => {
    const out = filterServerState(dump, plan([m('m1', '192.0.2.1', 80), m('m2', '2001:DB8:0::2', 80)]));
    expect(out.split('\n')).toEqual(['1', HEADER, row('p1:l1', 1, 'm1', '192.0.2.1', 80), row('p1:l1', 2, 'm2', '2001:db8::2', 80), '']);
  });
  test.each([
    ['a new address', m('m1', '192.0.2.9', 80)],
    ['a new port', m('m1', '192.0.2.1', 8080)],
    ['another weight (a weight set at run time must not outlive a configuration that says otherwise)', m('m1', '192.0.2.1', 80, { weight: 5 })],
    ['disabled while the worker holds it enabled', m('m1', '192.0.2.1', 80, { enabled: false })],
  ])('drops a member with %s', (_what, member) => {
    expect(filterServerState(dump, plan([member])).split('\n')).toEqual(['1', HEADER, '']);
  });
  test('keeps a member the worker holds in maintenance when the plan disables it too', () => {
    const maint = ['1', HEADER, row('p1:l1', 1, 'm1', '192.0.2.1', 80, 5, 3), ''].join('\n');
    expect(filterServerState(maint, plan([m('m1', '192.0.2.1', 80, { weight: 3, enabled: false })]))).toBe(maint);
  });
  test('an unknown format version or no header gives an empty state', () => {
    expect(filterServerState(dump.replace(/^1/, '2'), plan([]))).toBe('1\n');
    expect(filterServerState('1\n', plan([]))).toBe('1\n');
    expect(filterServerState('', plan([]))).toBe('1\n');
  });
  test('canonicalIp compresses IPv6 as haproxy prints it', () => {
    expect(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIp('192.0.2.1')).toBe('192.0.2.1');
  });
});
