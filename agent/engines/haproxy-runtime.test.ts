/** Which changes between two renders haproxy's runtime API can apply, which need a reload, and why (real renders, no processes). */
import { basic, m1, m2, render, rawDoc, rawListener, rawMember, rawPool } from '../../test/lib/render-fixtures';
import { checkServersState, cliError, commandsFor, planMemberChanges } from './haproxy-runtime';

const hm = { healthmonitor_id: 'hm1', type: 'HTTP', delay: 2, timeout: 1, max_retries: 2, url_path: '/health' };
const pool = (members: object[], extra: object = {}) => basic({ healthmonitor: hm, ...extra }, {}, members);
const plan = (a: object, b: object) => planMemberChanges(render(a), render(b));
const m3 = rawMember('m3', '192.0.2.3', 80);

describe('runtime-safe member changes', () => {
  test('nothing changed: no op', () => {
    expect(plan(pool([m1, m2]), pool([m1, m2]))).toEqual({ ok: true, ops: [] });
  });
  test('a weight', () => {
    expect(plan(pool([m1, m2]), pool([m1, { ...m2, weight: 7 }]))).toEqual({ ok: true, ops: [{ kind: 'weight', backend: 'p1:l1', server: 'm2', weight: 7 }] });
  });
  test('admin state, both ways (and a disabled pool disables every member)', () => {
    expect(plan(pool([m1, m2]), pool([m1, { ...m2, admin_state_up: false }]))).toEqual({ ok: true, ops: [{ kind: 'disable', backend: 'p1:l1', server: 'm2' }] });
    expect(plan(pool([m1, { ...m2, admin_state_up: false }]), pool([m1, m2]))).toEqual({ ok: true, ops: [{ kind: 'enable', backend: 'p1:l1', server: 'm2' }] });
    const off = plan(pool([m1, m2]), pool([m1, m2], { admin_state_up: false }));
    expect(off).toEqual({ ok: true, ops: [{ kind: 'disable', backend: 'p1:l1', server: 'm1' }, { kind: 'disable', backend: 'p1:l1', server: 'm2' }] });
  });
  test('a member added (checked as the file would) and one removed', () => {
    const r = plan(pool([m1, m2]), pool([m1, m3]));
    expect(r).toEqual({
      ok: true,
      ops: [
        { kind: 'remove', backend: 'p1:l1', server: 'm2', spec: '192.0.2.2:80 weight 1 check inter 2s fall 3 rise 2' },
        { kind: 'add', backend: 'p1:l1', server: 'm3', spec: '192.0.2.3:80 weight 1 check inter 2s fall 3 rise 2', enabled: true, checked: true },
      ],
    });
    if (!r.ok) throw new Error('unreachable');
    expect(r.ops.flatMap(commandsFor)).toEqual([
      'set server p1:l1/m2 state maint',
      'add server p1:l1/m3 192.0.2.3:80 weight 1 check inter 2s fall 3 rise 2',
      'set server p1:l1/m3 health up',
      'enable health p1:l1/m3',
      'set server p1:l1/m3 state ready',
    ]);
  });
  test('a disabled member added stays in maintenance', () => {
    const r = plan(pool([m1]), pool([m1, { ...m3, admin_state_up: false }]));
    expect(r.ok && r.ops.flatMap(commandsFor)).toEqual(['add server p1:l1/m3 192.0.2.3:80 weight 1 check inter 2s fall 3 rise 2', 'set server p1:l1/m3 health up', 'enable health p1:l1/m3']);
  });
  test('LEAST_CONNECTIONS is dynamic too; a pool used by two listeners changes in both backends', () => {
    expect(plan(pool([m1], { lb_algorithm: 'LEAST_CONNECTIONS' }), pool([m1, m3], { lb_algorithm: 'LEAST_CONNECTIONS' })).ok).toBe(true);
    const two = (members: object[]) => rawDoc([rawListener('l1', 80, 'p1'), rawListener('l2', 81, 'p1')], [rawPool('p1', members)]);
    const r = plan(two([m1, m2]), two([m1, { ...m2, weight: 3 }]));
    expect(r.ok && r.ops.map((o) => o.backend)).toEqual(['p1:l1', 'p1:l2']);
  });
});

describe('changes that need a reload, and why', () => {
  test.each<[string, object, object, RegExp]>([
    ['a listener change', pool([m1]), basic({ healthmonitor: hm }, { timeout_client_data: 1000 }, [m1]), /beyond members/],
    ['a monitor change (its interval is on every server line)', pool([m1]), pool([m1], { healthmonitor: { ...hm, delay: 3 } }), /member m1 changes beyond weight and admin state/],
    ['a monitor timeout (a backend line)', pool([m1]), pool([m1], { healthmonitor: { ...hm, timeout: 2 } }), /beyond members/],
    ['a moved member', pool([m1, m2]), pool([m1, { ...m2, protocol_port: 81 }]), /member m2 changes beyond weight and admin state/],
    ['a member becoming a backup', pool([m1, m2]), pool([m1, { ...m2, backup: true }]), /beyond members|member m2 changes/],
    ['a member added under SOURCE_IP (static)', pool([m1], { lb_algorithm: 'SOURCE_IP' }), pool([m1, m3], { lb_algorithm: 'SOURCE_IP' }), /added under SOURCE_IP|static/],
    ['a weight under SOURCE_IP_PORT (static)', pool([m1], { lb_algorithm: 'SOURCE_IP_PORT' }), pool([{ ...m1, weight: 4 }], { lb_algorithm: 'SOURCE_IP_PORT' }), /weight under a static algorithm/],
    ['a member added with HTTP_COOKIE persistence', pool([m1], { session_persistence: { type: 'HTTP_COOKIE' } }), pool([m1, m3], { session_persistence: { type: 'HTTP_COOKIE' } }), /HTTP_COOKIE/],
  ])('%s', (_what, a, b, why) => {
    const r = plan(a, b);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(why);
  });
  test('a removal under a static algorithm', () => {
    const r = plan(pool([m1, m2], { lb_algorithm: 'SOURCE_IP' }), pool([m1], { lb_algorithm: 'SOURCE_IP' }));
    expect(!r.ok && r.reason).toMatch(/removed under SOURCE_IP/);
  });
  test('an engine without a skeleton hash (nginx) always reloads', () => {
    const a = render(pool([m1]));
    expect(planMemberChanges({ ...a, skeletonHash: undefined }, a)).toEqual({ ok: false, reason: 'the engine applies members only by reloading' });
  });
});

describe('the running servers against the render', () => {
  const HEADER = '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';
  const row = (name: string, addr: string, port: number, admin: number, weight: number) => `3 p1:l1 1 ${name} ${addr} 2 ${admin} ${weight} 1 0 1 0 0 6 0 0 0 - ${port} - 0 0 - - 0`;
  const next = render(pool([m1, { ...m2, weight: 5, admin_state_up: false }])).serves;
  test.each<[string, string[], Set<string>, string | null]>([
    ['equal', [row('m1', '192.0.2.1', 80, 0, 1), row('m2', '192.0.2.2', 80, 1, 5)], new Set(), null],
    ['a weight that did not take', [row('m1', '192.0.2.1', 80, 0, 1), row('m2', '192.0.2.2', 80, 1, 1)], new Set(), 'p1:l1/m2 has weight 1, not 5'],
    ['a member still enabled', [row('m1', '192.0.2.1', 80, 0, 1), row('m2', '192.0.2.2', 80, 0, 5)], new Set(), 'p1:l1/m2 is enabled, not disabled'],
    ['a missing member', [row('m1', '192.0.2.1', 80, 0, 1)], new Set(), 'p1:l1/m2 is not running'],
    ['an extra member', [row('m1', '192.0.2.1', 80, 0, 1), row('m2', '192.0.2.2', 80, 1, 5), row('old', '192.0.2.9', 80, 0, 1)], new Set(), 'p1:l1/old runs but is not in the document'],
    ['a removed member still draining, in maintenance', [row('m1', '192.0.2.1', 80, 0, 1), row('m2', '192.0.2.2', 80, 1, 5), row('old', '192.0.2.9', 80, 1, 1)], new Set(['p1:l1/old']), null],
  ])('%s', (_what, rows, draining, expected) => {
    expect(checkServersState([HEADER, ...rows, ''].join('\n'), next, draining)).toBe(expected);
  });
  test('CLI answers that are errors', () => {
    expect(cliError('')).toBeNull();
    expect(cliError('New server registered.\n')).toBeNull();
    expect(cliError("'cookie' option is not accepted for dynamic server")).toMatch(/cookie/);
  });
});
