/** The nginx renderer's choices, directive by directive (renderers/nginx/README.md says why). */
import { nginxCapabilities } from '../index';
import { nginxListeners, renderNginx } from './index';
import { certificateNames, serverNameWord } from './build-tls';
import { basic, exampleTls, m1, m2, rawDoc, rawListener, rawMember, rawPool, RENDER_CTX, valid } from '../../test/lib/render-fixtures';
import { parseNginx, walkNginx, type Directive } from '../../test/lib/nginx-parse';

const CTX = { ...RENDER_CTX, capabilities: nginxCapabilities('1.22.1') };
const conf = (raw: unknown, nginx = {}) => renderNginx(valid(raw), { ...CTX, nginx }).files['nginx.conf'];
const directives = (raw: unknown, nginx = {}): Directive[] => [...walkNginx(parseNginx(conf(raw, nginx)))].map(({ d }) => d);
const line = (d: Directive) => [d.name, ...d.args].join(' ');
const named = (raw: unknown, name: string, nginx = {}) => directives(raw, nginx).filter((d) => d.name === name && !d.block).map(line);

test('the main context: pid and status socket in the run directory, workers as root, old workers bounded', () => {
  const c = conf(basic());
  expect(c).toContain('pid /run/amphora-agent/nginx.pid;');
  expect(c).toContain('listen unix:/run/amphora-agent/nginx-status.sock;');
  expect(c).toContain('user root;');
  expect(c).toContain('worker_shutdown_timeout 10m;');
  expect(c).toMatch(/worker_connections \d+;/);
  // no stream listener: the stream module is not loaded
  expect(c).not.toContain('load_module');
  expect(conf(basic(), { accessLog: false })).not.toContain('syslog:');
});

test('every http server drains while the flag in the run directory exists: through = amph-drain (keep-alive off) back to location /', () => {
  const raw = basic({}, { allowed_cidrs: ['10.0.0.0/8'] });
  const c = conf(raw);
  // after the allowed_cidrs check, so a refused client is still closed without an answer
  expect(c).toMatch(/if \(\$amph_allow\d+ = 0\) \{ return 444; \}\n {8}if \(-f \/run\/amphora-agent\/nginx-drain\) \{ rewrite \^ amph-drain last; \}\n/);
  expect(c).toContain('location = amph-drain {\n            internal;\n            keepalive_timeout 0;\n            rewrite ^ / last;\n        }');
  expect(c.match(/nginx-drain/g)).toHaveLength(1);
});

test.each(['/run/a b', '/run/x) { return 200; }', '/run/$host', '/run/a;b', '/run/a"b'])('a run directory that is not one nginx word (%j) is refused, not printed', (runDir) => {
  expect(() => renderNginx(valid(basic()), { ...CTX, runDir })).toThrow(/the run directory/);
});

test('upstream servers: weight, max_fails=0, backup, down (disabled, weight 0, held DOWN)', () => {
  const raw = basic({}, {}, [m1, rawMember('m2', '192.0.2.2', 80, { weight: 0 }), rawMember('m3', '192.0.2.3', 80, { backup: true }), rawMember('m4', '192.0.2.4', 80, { admin_state_up: false }), rawMember('m5', '192.0.2.5', 80, { weight: 7 })]);
  expect(named(raw, 'server', { downMembers: ['m5'] })).toEqual([
    'server 192.0.2.1:80 weight=1 max_fails=0',
    'server 192.0.2.2:80 weight=1 max_fails=0 down',
    'server 192.0.2.3:80 weight=1 max_fails=0 backup',
    'server 192.0.2.4:80 weight=1 max_fails=0 down',
    'server 192.0.2.5:80 weight=7 max_fails=0 down',
  ]);
});

test('a pool of backups only serves with them as primaries (nginx needs one)', () => {
  expect(named(basic({}, {}, [rawMember('m1', '192.0.2.1', 80, { backup: true })]), 'server')).toEqual(['server 192.0.2.1:80 weight=1 max_fails=0']);
});

test.each([
  ['ROUND_ROBIN', null],
  ['LEAST_CONNECTIONS', 'least_conn'],
  ['SOURCE_IP', 'hash $remote_addr'],
  ['SOURCE_IP_PORT', 'hash $remote_addr:$remote_port'],
])('lb_algorithm %s -> %p', (algorithm, want) => {
  const balance = directives(basic({ lb_algorithm: algorithm })).filter((d) => d.name === 'least_conn' || d.name === 'hash').map(line);
  expect(balance).toEqual(want ? [want] : []);
});

test('a disabled listener, and every listener of a disabled load balancer, is not served', () => {
  const raw = rawDoc([rawListener('l1', 80, 'p1'), rawListener('l2', 81, 'p1', { admin_state_up: false })], [rawPool('p1', [m1])]);
  expect(nginxListeners(valid(raw)).map((l) => l.listener_id)).toEqual(['l1']);
  expect(named(raw, 'listen')).toEqual(['listen 127.10.0.1:80 default_server', 'listen unix:/run/amphora-agent/nginx-status.sock']);
  const off = { ...raw, loadbalancer: { ...raw.loadbalancer, admin_state_up: false } };
  expect(named(off, 'listen')).toEqual(['listen unix:/run/amphora-agent/nginx-status.sock']);
});

test('timeouts: client side on the server, member side on the proxy; 0 (none) is 24 days', () => {
  const d = named(basic({}, { timeout_client_data: 0, timeout_member_connect: 1500, timeout_member_data: 120000 }), 'proxy_read_timeout');
  expect(d).toEqual(['proxy_read_timeout 120s']);
  expect(conf(basic({}, { timeout_client_data: 0 }))).toContain('keepalive_timeout 24d;');
  expect(conf(basic({}, { timeout_member_connect: 1500 }))).toContain('proxy_connect_timeout 1500ms;');
});

test('a TCP listener has one idle timeout: the shorter of client and member data', () => {
  const raw = rawDoc([rawListener('l1', 5432, 'p1', { protocol: 'TCP', timeout_client_data: 3600000, timeout_member_data: 50000 })], [rawPool('p1', [m1], { protocol: 'TCP' })]);
  expect(named(raw, 'proxy_timeout')).toEqual(['proxy_timeout 50s']);
  expect(conf(raw)).toContain('load_module /usr/lib/nginx/modules/ngx_stream_module.so;');
  expect(conf(raw, { streamModule: null })).not.toContain('load_module');
});

test('connection_limit is a limit_conn of the listener; -1 and 0 set none', () => {
  expect(named(basic({}, { connection_limit: 100 }), 'limit_conn')).toEqual(['limit_conn amph_http_conn 100']);
  expect(named(basic({}, { connection_limit: -1 }), 'limit_conn')).toEqual([]);
});

test('SNI: one server block per certificate with its own names; the default certificate is the default server', () => {
  const tls = exampleTls();
  const raw = rawDoc([rawListener('l1', 443, 'p1', { protocol: 'TERMINATED_HTTPS', default_tls_container_data: tls.container, sni_container_data: tls.sni })], [rawPool('p1', [m1, m2])]);
  const servers = parseNginx(conf(raw)).find((d) => d.name === 'http')!.block!.filter((d) => d.name === 'server');
  expect(servers).toHaveLength(1 + tls.sni.length + 1);
  expect(servers[0].block!.filter((d) => d.name === 'listen').map(line)).toEqual(['listen 127.10.0.1:443 ssl default_server']);
  expect(servers[1].block!.find((d) => d.name === 'server_name')!.args).toEqual(certificateNames(tls.sni[0].certificate));
});

test('server names: exact names as they are, a wildcard as a one-label regex', () => {
  expect(serverNameWord('api.example.com')).toBe('api.example.com');
  expect(serverNameWord('*.example.com')).toBe('"~^[^.]+\\\\.example\\\\.com$"');
  expect(parseNginx(`server_name ${serverNameWord('*.example.com')};`)[0].args).toEqual(['~^[^.]+\\.example\\.com$']);
});

test('HSTS only on TERMINATED_HTTPS listeners that set hsts_max_age, in Octavia\'s format (renderers/hsts.ts)', () => {
  const tls = exampleTls();
  const hsts = { hsts_max_age: 600, hsts_preload: true };
  const raw = rawDoc([rawListener('l1', 443, 'p1', { protocol: 'TERMINATED_HTTPS', default_tls_container_data: tls.container, ...hsts }), rawListener('l2', 80, 'p1')], [rawPool('p1', [m1])]);
  const c = renderNginx(valid(raw), CTX).files['nginx.conf'];
  expect(c.match(/add_header Strict-Transport-Security "max-age=600; preload;" always;/g)).toHaveLength(1);
  expect(c.match(/proxy_hide_header Strict-Transport-Security;/g)).toHaveLength(1);
  const none = rawDoc([rawListener('l1', 443, 'p1', { protocol: 'TERMINATED_HTTPS', default_tls_container_data: tls.container })], [rawPool('p1', [m1])]);
  expect(renderNginx(valid(none), CTX).files['nginx.conf']).not.toContain('Strict-Transport-Security');
});

test('ACTIVE_STANDBY: keepalived.conf with VRRP only (nginx serves UDP itself)', () => {
  const raw = {
    ...rawDoc([rawListener('u1', 53, 'pu', { protocol: 'UDP' })], [rawPool('pu', [rawMember('mu', '192.0.2.5', 53)], { protocol: 'UDP' })]),
    amphora: { id: 'amp1', topology: 'ACTIVE_STANDBY', role: 'MASTER', vrrp_address: '10.0.0.11', vrrp_peers: [{ id: 'amp2', address: '10.0.0.12' }] },
  };
  const out = renderNginx(valid(raw), CTX);
  expect(out.files['keepalived.conf']).toMatch(/vrrp_instance /);
  expect(out.files['keepalived.conf']).not.toMatch(/virtual_server /);
  expect(out.files['nginx.conf']).toContain('listen 127.10.0.1:53 udp reuseport;');
  expect(renderNginx(valid(basic()), CTX).files['keepalived.conf']).toBeUndefined();
});
