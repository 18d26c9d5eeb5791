/** What the keepalived renderer writes for UDP/SCTP listeners and VRRP (keepalived --config-test runs in test/integration). */
import { keepalivedNeeds, renderKeepalived } from './index';
import { rawDoc, rawListener, rawMember, rawPool, RENDER_CTX, valid } from '../../test/lib/render-fixtures';

const conf = (raw: unknown, iface?: string) => renderKeepalived(valid(raw), { ...RENDER_CTX, vrrpInterface: iface })?.files['keepalived.conf'] ?? null;
const udp = (pool = {}, listener = {}, members = [rawMember('m1', '192.0.2.1', 53, { weight: 3 }), rawMember('m2', '192.0.2.2', 53, { admin_state_up: false })]) =>
  rawDoc([rawListener('u1', 53, 'p1', { protocol: 'UDP', ...listener })], [rawPool('p1', members, { protocol: 'UDP', ...pool })]);
const hm = (type: string, extra = {}) => ({ healthmonitor_id: 'h', type, delay: 4, timeout: 2, max_retries: 2, max_retries_down: 3, ...extra });

test('no keepalived.conf without UDP/SCTP listeners or VRRP', () => {
  expect(conf(rawDoc([rawListener('l', 80, 'p')], [rawPool('p', [])]))).toBeNull();
});

test('a UDP listener is an LVS virtual server with its enabled members and their weights', () => {
  const c = conf(udp({}, { connection_limit: 100 }))!;
  expect(c).toMatch(/virtual_server 127\.10\.0\.1 53 \{\n {4}lvs_sched wrr\n {4}lvs_method NAT\n {4}protocol UDP\n/);
  expect(c).toMatch(/real_server 192\.0\.2\.1 53 \{\n {8}weight 3\n {8}uthreshold 100\n/);
  expect(c).not.toMatch(/192\.0\.2\.2/);
});

test.each([
  ['ROUND_ROBIN', 'lvs_sched wrr', null],
  ['LEAST_CONNECTIONS', 'lvs_sched wlc', null],
  ['SOURCE_IP', 'lvs_sched sh', null],
  ['SOURCE_IP_PORT', 'lvs_sched sh', 'sh-port'],
])('%s -> %s', (alg, sched, flag) => {
  const c = conf(udp({ lb_algorithm: alg }))!;
  expect(c).toContain(sched);
  if (flag) expect(c).toContain(`    ${flag}\n`);
  else expect(c).not.toContain('sh-port');
});

test('SOURCE_IP persistence: timeout and granularity', () => {
  const c = conf(udp({ session_persistence: { type: 'SOURCE_IP', persistence_timeout: 90, persistence_granularity: '255.255.255.0' } }))!;
  expect(c).toContain('persistence_timeout 90');
  expect(c).toContain('persistence_granularity 255.255.255.0');
});

test.each([
  ['UDP-CONNECT', 'UDP_CHECK'],
  ['TCP', 'TCP_CHECK'],
  ['HTTP', 'HTTP_GET'],
  ['SCTP', 'PING_CHECK'],
])('%s monitor -> %s with delay, timeout, retries and the monitor address', (type, check) => {
  const members = [rawMember('m1', '192.0.2.1', 53, { monitor_address: '192.0.2.9', monitor_port: 5353 })];
  const c = conf(udp({ healthmonitor: hm(type, type === 'HTTP' ? { url_path: '/st!x', expected_codes: '200-204' } : {}) }, {}, members))!;
  expect(c).toContain('delay_loop 4');
  expect(c).toMatch(new RegExp(`${check} \\{\\n {12}connect_ip 192\\.0\\.2\\.9\\n {12}connect_port 5353\\n {12}connect_timeout 2\\n {12}retry 3\\n {12}delay_before_retry 4\\n`));
  if (type === 'HTTP') expect(c).toMatch(/path \/st%21x\n {16}status_code 200-204\n/);
});

test('a disabled pool, listener or load balancer has no virtual server', () => {
  expect(conf(udp({ admin_state_up: false }))).not.toMatch(/virtual_server/);
  expect(conf(udp({}, { admin_state_up: false }))).not.toMatch(/virtual_server/);
  const lbOff = udp();
  lbOff.loadbalancer.admin_state_up = false;
  expect(conf(lbOff)).not.toMatch(/virtual_server/);
});

test('ACTIVE_STANDBY as Octavia\'s amphora template: no initial state, nopreempt, accept, the role\'s priority, unicast peers, VIPs by family, the engine check', () => {
  const raw: Record<string, any> = { ...udp(), amphora: { id: 'amp1', topology: 'ACTIVE_STANDBY', role: 'BACKUP', vrrp_address: '10.0.0.11', vrrp_priority: 50, vrrp_peers: [{ id: 'amp2', address: '10.0.0.12' }] } };
  raw.loadbalancer.additional_vips = [{ ip_address: '2001:db8::1' }];
  const c = conf(raw, 'ens3')!;
  for (const line of ['router_id amp1', 'interface ens3', 'priority 50', 'nopreempt', 'accept', 'advert_int 1', 'garp_master_refresh 5', 'garp_master_refresh_repeat 2', 'unicast_src_ip 10.0.0.11', 'enable_script_security']) expect(c).toContain(`    ${line}\n`);
  // keepalived's nopreempt works only when neither peer starts as MASTER (Octavia dropped `state` for that)
  expect(c).not.toMatch(/^\s*state /m);
  expect(c).toMatch(/vrrp_script check_engine \{\n {4}script \/run\/amphora-agent\/keepalived\/check-engine\.sh\n {4}interval 5\n {4}fall 2\n {4}rise 2\n\}/);
  expect(c).toMatch(/track_script \{\n {8}check_engine\n {4}\}/);
  expect(c).toContain('    vrrp_notify_fifo /run/amphora-agent/keepalived/vrrp.fifo\n    vrrp_notify_fifo_script /run/amphora-agent/keepalived/vrrp-notify.sh\n');
  expect(c).toContain('    reload_file /run/amphora-agent/keepalived/reload\n');
  expect(c).toMatch(/unicast_peer \{\n {8}10\.0\.0\.12\n {4}\}/);
  expect(c).toMatch(/virtual_ipaddress \{\n {8}127\.10\.0\.1\n {4}\}/);
  expect(c).toMatch(/virtual_ipaddress_excluded \{\n {8}2001:db8::1\n {4}\}/);
});

test.each([
  ['MASTER', null, 100],
  ['BACKUP', null, 90],
  ['MASTER', 120, 120],
])('role %s with vrrp_priority %s -> priority %s', (role, prio, want) => {
  const c = conf({ ...udp(), amphora: { id: 'a', topology: 'ACTIVE_STANDBY', role, vrrp_address: '10.0.0.11', vrrp_priority: prio, vrrp_peers: [{ id: 'b', address: '10.0.0.12' }] } })!;
  expect(c).toContain(`    priority ${want}\n`);
});

test('VRRP timing comes from the render context', () => {
  const raw = { ...udp(), amphora: { id: 'a', topology: 'ACTIVE_STANDBY', role: 'MASTER', vrrp_address: '10.0.0.11', vrrp_peers: [{ id: 'b', address: '10.0.0.12' }] } };
  const vrrpTiming = { advertInt: 2, checkInterval: 1, failCount: 3, successCount: 4, garpRefreshInterval: 7, garpRefreshCount: 6 };
  const c = renderKeepalived(valid(raw), { ...RENDER_CTX, vrrpTiming })!.files['keepalived.conf'];
  for (const line of ['advert_int 2', 'interval 1', 'fall 3', 'rise 4', 'garp_master_refresh 7', 'garp_master_refresh_repeat 6']) expect(c).toContain(`    ${line}\n`);
});

test('without VRRP: no scripts, no FIFO, still the reload file', () => {
  const c = conf(udp())!;
  expect(c).not.toMatch(/vrrp|script/);
  expect(c).toContain('reload_file /run/amphora-agent/keepalived/reload');
});

test('keepalivedNeeds: VRRP for ACTIVE_STANDBY, LVS only for enabled UDP/SCTP listeners with members', () => {
  expect(keepalivedNeeds(valid(udp()))).toEqual({ vrrp: false, lvs: true });
  expect(keepalivedNeeds(valid(udp({}, { admin_state_up: false })))).toEqual({ vrrp: false, lvs: false });
  expect(keepalivedNeeds(valid(rawDoc([rawListener('l', 80, 'p')], [rawPool('p', [])])))).toEqual({ vrrp: false, lvs: false });
  const as = { ...rawDoc([rawListener('l', 80, 'p')], [rawPool('p', [])]), amphora: { id: 'a', topology: 'ACTIVE_STANDBY', role: 'BACKUP', vrrp_address: '10.0.0.11', vrrp_peers: [{ id: 'b', address: '10.0.0.12' }] } };
  expect(keepalivedNeeds(valid(as))).toEqual({ vrrp: true, lvs: false });
});
