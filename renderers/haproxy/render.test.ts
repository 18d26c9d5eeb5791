/** What the haproxy renderer writes for names, sizing, listeners, TLS and admin state (no processes: see test/integration). */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { renderHaproxy } from './index';
import { checkFdEstimate, globalMaxconn, sizeGlobal, FD_RESERVE } from './build-view';
import { RENDER_CTX, basic, cfgOf, exampleTls, m1, m2, render, rawDoc, rawListener, rawMember, rawPool, section, valid } from '../../test/lib/render-fixtures';

describe('names and conventions the agent and the heartbeat rely on', () => {
  const cfg = cfgOf(basic());
  test('global names the stats socket and pid file in runDir', () => {
    expect(section(cfg, 'global')).toEqual(
      expect.arrayContaining(['pidfile /run/amphora-agent/haproxy.pid', 'stats socket /run/amphora-agent/haproxy.sock mode 600 level admin expose-fd listeners']),
    );
  });
  test('frontend = listener_id, backend = pool_id:listener_id, server = member_id', () => {
    expect(section(cfg, 'frontend l1')).toContain('default_backend p1:l1');
    const be = section(cfg, 'backend p1:l1');
    expect(be.filter((l) => l.startsWith('server ')).map((l) => l.split(' ')[1])).toEqual(['m1', 'm2']);
  });
  test('the main file is haproxy.cfg', () => expect(render(basic()).main).toBe('haproxy.cfg'));
  test('a files-only render (a dry run) writes the same files and leaves the skeleton hash out', () => {
    const full = renderHaproxy(valid(basic()), RENDER_CTX);
    const filesOnly = renderHaproxy(valid(basic()), RENDER_CTX, { filesOnly: true });
    expect(full.skeletonHash).toMatch(/^[0-9a-f]{64}$/);
    expect(filesOnly.skeletonHash).toBeUndefined();
    expect(filesOnly.files).toEqual(full.files);
    expect(filesOnly.secrets).toEqual(full.secrets);
  });
});

describe('reloads and addresses', () => {
  test.each([
    [undefined, 'hard-stop-after 10m'],
    [45, 'hard-stop-after 45s'],
    [3600, 'hard-stop-after 60m'],
  ])('hardStopAfterSec %p gives %p so old workers cannot pile up', (sec, line) => {
    expect(section(cfgOf(basic(), { ...RENDER_CTX, hardStopAfterSec: sec }), 'global')).toContain(line);
  });
  test('every listener bind is transparent, so a VIP the amphora does not hold (yet) still binds', () => {
    const binds = cfgOf(basic()).split('\n').filter((l) => l.trim().startsWith('bind '));
    expect(binds.length).toBeGreaterThan(0);
    for (const b of binds) expect(b.trim().split(' ')[2]).toBe('transparent');
  });
});

describe('maxconn fits the fd limit', () => {
  test.each([
    [20000, 1, 2],
    [1024, 3, 0],
    [300, 100, 50],
  ])('fdLimit %p, %p binds, %p checks', (fd, binds, checks) => {
    const n = globalMaxconn(fd, binds, checks);
    expect(2 * n + binds + checks + FD_RESERVE).toBeLessThanOrEqual(Math.max(fd, 2 + binds + checks + FD_RESERVE));
    expect(n).toBeGreaterThanOrEqual(1);
  });
  test('checks need timeout/delay of an fd per member', () => {
    const pool = (n: number, timeout: number, delay: number, up = true) =>
      ({ members: Array.from({ length: n }), healthmonitor: { timeout, delay, admin_state_up: up } }) as never;
    expect(checkFdEstimate([pool(10, 3, 5), pool(3, 1, 1), pool(100, 1, 1, false)])).toBe(9);
  });
  test.each([
    [20000, 1, 4, 2, { maxconn: 9897, strictLimits: true }],
    [20000, 1000, 100, 60, { maxconn: 9350, strictLimits: true }],
    [20000, 1000, 20000, 12000, { maxconn: 3400, strictLimits: false }],
  ])('sizeGlobal(fdLimit %p, binds %p, checked %p, check fds %p)', (fd, binds, checked, checkFds, out) => {
    const r = sizeGlobal(fd, binds, checked, checkFds);
    expect(r).toEqual(out);
    // with strict limits, haproxy's own budget fits; without, ours does
    expect(2 * r.maxconn + binds + (r.strictLimits ? checked : checkFds) + FD_RESERVE).toBeLessThanOrEqual(fd);
  });
  test('many checked servers: "no strict-limits" in global, maxconn still within the limit', () => {
    const members = Array.from({ length: 300 }, (_, i) => rawMember(`m${i}`, '192.0.2.1', 1000 + i));
    const hm = { healthmonitor_id: 'h', type: 'TCP', delay: 2, timeout: 1, max_retries: 1 };
    const cfg = cfgOf(basic({ healthmonitor: hm }, {}, members), { ...RENDER_CTX, fdLimit: 1000 });
    // 300 checked servers budgeted as 512 (checks at timeout/delay: 150, as 256): (1000 - 200 - 1 - 256) / 2
    expect(section(cfg, 'global')).toEqual(expect.arrayContaining(['maxconn 271', 'no strict-limits']));
    expect(section(cfgOf(basic()), 'global')).not.toContain('no strict-limits');
  });
  test('adding or removing a member keeps the sizing (the check budget moves in steps), so it stays a member-only change', () => {
    const hm = { healthmonitor_id: 'h', type: 'TCP', delay: 2, timeout: 1, max_retries: 1 };
    const global = (n: number) => section(cfgOf(basic({ healthmonitor: hm }, {}, Array.from({ length: n }, (_, i) => rawMember(`m${i}`, '192.0.2.1', 1000 + i)))), 'global');
    expect(global(3)).toEqual(global(4));
    expect(global(200)).toEqual(global(256));
    expect(global(256)).not.toEqual(global(257));
  });
  test('listener connection_limit is capped by the global maxconn; -1 takes the global', () => {
    const ctx = { ...RENDER_CTX, fdLimit: 1200 };
    const raw = rawDoc(
      [rawListener('a', 80, 'p1', { connection_limit: 100 }), rawListener('b', 81, 'p1', { connection_limit: 900000 }), rawListener('c', 82, 'p1')],
      [rawPool('p1', [m1])],
    );
    const cfg = cfgOf(raw, ctx);
    const global = Number(section(cfg, 'global').find((l) => l.startsWith('maxconn '))!.split(' ')[1]);
    expect(global).toBeLessThanOrEqual((1200 - FD_RESERVE) / 2);
    expect(section(cfg, 'frontend a')).toContain('maxconn 100');
    expect(section(cfg, 'frontend b')).toContain(`maxconn ${global}`);
    expect(section(cfg, 'frontend c')).toContain(`maxconn ${global}`);
  });
});

describe('binds', () => {
  test('the VIP and every additional VIP, IPv6 in brackets', () => {
    const raw = basic();
    raw.loadbalancer.additional_vips = [{ ip_address: '2001:db8::5' }, { ip_address: '127.10.0.2' }];
    expect(section(cfgOf(raw), 'frontend l1').filter((l) => l.startsWith('bind '))).toEqual(['bind 127.10.0.1:80 transparent', 'bind [2001:db8::5]:80 transparent', 'bind 127.10.0.2:80 transparent']);
  });
});

describe('admin state', () => {
  test('a disabled load balancer serves nothing: frontends disabled, no backends', () => {
    const cfg = cfgOf({ ...basic(), loadbalancer: { ...basic().loadbalancer, admin_state_up: false } });
    expect(section(cfg, 'frontend l1')).toContain('disabled');
    expect(cfg).not.toMatch(/^backend /m);
  });
  test('a disabled listener is disabled and routes nowhere', () => {
    const fe = section(cfgOf(basic({}, { admin_state_up: false })), 'frontend l1');
    expect(fe).toContain('disabled');
    expect(fe.some((l) => l.startsWith('default_backend'))).toBe(false);
  });
  test('a disabled pool keeps its servers, all disabled (haproxy answers 503)', () => {
    const be = section(cfgOf(basic({ admin_state_up: false })), 'backend p1:l1');
    expect(be.filter((l) => l.startsWith('server ')).every((l) => l.endsWith(' disabled'))).toBe(true);
  });
  test('a disabled member is disabled, the others are not', () => {
    const be = section(cfgOf(basic({}, {}, [m1, { ...m2, admin_state_up: false }])), 'backend p1:l1');
    expect(be.find((l) => l.startsWith('server m1'))).not.toMatch(/disabled/);
    expect(be.find((l) => l.startsWith('server m2'))).toMatch(/ disabled$/);
  });
});

describe('listeners', () => {
  test('timeouts', () => {
    const cfg = cfgOf(basic({}, { timeout_client_data: 1000, timeout_member_connect: 2500, timeout_member_data: 0, timeout_tcp_inspect: 500 }));
    expect(section(cfg, 'frontend l1')).toEqual(expect.arrayContaining(['timeout client 1s', 'tcp-request inspect-delay 500ms']));
    expect(section(cfg, 'backend p1:l1')).toEqual(expect.arrayContaining(['timeout connect 2500ms', 'timeout server 0']));
  });
  test('allowed_cidrs reject every other source at connect, in lines of at most 32', () => {
    const cidrs = Array.from({ length: 40 }, (_, i) => `10.${i}.0.0/16`);
    const fe = section(cfgOf(basic({}, { allowed_cidrs: [...cidrs, '192.168.0.0/24'] })), 'frontend l1');
    const acls = fe.filter((l) => l.startsWith('acl allowed_src src '));
    expect(acls).toHaveLength(2);
    expect(acls.flatMap((l) => l.split(' ').slice(3))).toEqual([...cidrs, '192.168.0.0/24']);
    expect(fe).toContain('tcp-request connection reject if !allowed_src');
  });
  test('TCP and HTTPS passthrough listeners are mode tcp', () => {
    const raw = rawDoc([rawListener('t', 1, 'p', { protocol: 'TCP' }), rawListener('s', 2, 'p', { protocol: 'HTTPS' })], [rawPool('p', [m1], { protocol: 'TCP' })]);
    const cfg = cfgOf(raw);
    expect(section(cfg, 'frontend t')).toContain('mode tcp');
    expect(section(cfg, 'frontend s')).toContain('mode tcp');
    expect(section(cfg, 'backend p:t')).toContain('mode tcp');
  });
  test('PROMETHEUS serves haproxy\'s exporter on /metrics', () => {
    const fe = section(cfgOf(rawDoc([rawListener('m', 9100, null, { protocol: 'PROMETHEUS' })])), 'frontend m');
    expect(fe).toEqual(expect.arrayContaining(['mode http', 'http-request use-service prometheus-exporter if { path /metrics }']));
  });
  test('every insert_headers entry', () => {
    const headers = ['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-SSL-Client-Verify', 'X-SSL-Client-Has-Cert', 'X-SSL-Client-DN', 'X-SSL-Client-CN', 'X-SSL-Issuer', 'X-SSL-Client-SHA1', 'X-SSL-Client-Not-Before', 'X-SSL-Client-Not-After'];
    const tls = exampleTls();
    const raw = basic({}, { protocol: 'TERMINATED_HTTPS', protocol_port: 443, default_tls_container_data: tls.container, insert_headers: Object.fromEntries(headers.map((h) => [h, 'true'])) });
    const be = section(cfgOf(raw), 'backend p1:l1').join('\n');
    expect(be).toMatch(/^option forwardfor$/m);
    for (const h of headers.slice(1)) expect(be).toMatch(new RegExp(`^http-request set-header ${h} `, 'm'));
  });
});

describe('TLS termination', () => {
  const tls = exampleTls();
  const tlsDoc = (extra: object) => basic({}, { protocol: 'TERMINATED_HTTPS', protocol_port: 443, default_tls_container_data: tls.container, sni_container_data: tls.sni, ...extra });
  test('crt-list with the default certificate first; key files are secrets; paths are relative', () => {
    const out = render(tlsDoc({ client_authentication: 'MANDATORY', client_ca_tls_container_data: tls.ca, tls_versions: ['TLSv1.2', 'TLSv1.3'], tls_ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', alpn_protocols: ['h2', 'http/1.1'] }));
    const bind = section(out.files['haproxy.cfg'], 'frontend l1').find((l) => l.startsWith('bind '))!;
    expect(bind).toBe(
      'bind 127.10.0.1:443 transparent ssl crt-list certs/listener-l1/crt-list.txt ca-file certs/listener-l1/client-ca.pem verify required ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 ciphers ECDHE-RSA-AES128-GCM-SHA256 alpn h2,http/1.1',
    );
    expect(out.files['certs/listener-l1/crt-list.txt'].split('\n')[0]).toBe('certs/listener-l1/default.pem');
    expect(out.secrets).toEqual(Object.keys(out.files).filter((p) => /default|sni-/.test(p)).sort());
    for (const p of Object.keys(out.files)) expect(p.startsWith('/')).toBe(false);
    const bundle = out.files['certs/listener-l1/default.pem'];
    expect(bundle).toMatch(/-----BEGIN CERTIFICATE-----[\s\S]*PRIVATE KEY-----\n$/);
  });
  test.each([
    ['NONE', null],
    ['OPTIONAL', 'verify optional'],
    ['MANDATORY', 'verify required'],
  ])('client_authentication %s', (mode, words) => {
    const extra = mode === 'NONE' ? {} : { client_authentication: mode, client_ca_tls_container_data: tls.ca };
    const bind = section(cfgOf(tlsDoc(extra)), 'frontend l1').find((l) => l.startsWith('bind '))!;
    if (words) expect(bind).toContain(words);
    else expect(bind).not.toMatch(/verify|ca-file/);
  });
  test.each([
    [{ hsts_max_age: 31536000 }, 'max-age=31536000;'],
    [{ hsts_max_age: 0, hsts_include_subdomains: true }, 'max-age=0; includeSubDomains;'],
    [{ hsts_max_age: 600, hsts_include_subdomains: true, hsts_preload: true }, 'max-age=600; includeSubDomains; preload;'],
  ])('HSTS %p sets the response header %p (Octavia\'s format)', (extra, value) => {
    expect(section(cfgOf(tlsDoc(extra)), 'frontend l1')).toContain(`http-response set-header Strict-Transport-Security "${value}"`);
  });
  test('no HSTS header without hsts_max_age, nor on an HTTP listener', () => {
    expect(cfgOf(tlsDoc({ hsts_max_age: null, hsts_include_subdomains: false, hsts_preload: false }))).not.toContain('Strict-Transport-Security');
    expect(cfgOf(basic({}, { hsts_max_age: null }))).not.toContain('Strict-Transport-Security');
  });
  test('an encrypted key is written decrypted (haproxy cannot take the passphrase)', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    const plain = createPrivateKey({ key: encrypted, passphrase: 'pw' });
    // the example's certificate with another key would fail a pairing check: only the decryption is under test here
    const { plainKey } = jest.requireActual('./build-tls') as typeof import('./build-tls');
    const out = plainKey({ ...tls.container, private_key: encrypted, passphrase: 'pw' } as never);
    expect(out).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(createPrivateKey(out).export({ type: 'pkcs8', format: 'der' }).equals(plain.export({ type: 'pkcs8', format: 'der' }))).toBe(true);
  });
});

describe('ACTIVE_STANDBY', () => {
  test('stick tables are shared with the VRRP peers through a peers section', () => {
    const raw = { ...basic({ session_persistence: { type: 'SOURCE_IP' } }), amphora: { id: 'amp1', topology: 'ACTIVE_STANDBY', role: 'MASTER', vrrp_address: '2001:db8::1', vrrp_peers: [{ id: 'amp2', address: '2001:db8::2' }] } };
    const cfg = cfgOf(raw);
    expect(section(cfg, 'global')).toContain('localpeer amp1');
    // bind + server form: only a bind line takes `transparent`, so a VRRP address not (yet) local still binds
    expect(section(cfg, 'peers amphora_peers')).toEqual(['bind [2001:db8::1]:1025 transparent', 'server amp1', 'server amp2 [2001:db8::2]:1025']);
    expect(section(cfg, 'backend p1:l1')).toContain('stick-table type ip size 10k expire 360s peers amphora_peers');
  });
  test('a single amphora has no peers', () => {
    const cfg = cfgOf(basic({ session_persistence: { type: 'SOURCE_IP' } }));
    expect(cfg).not.toMatch(/peers|localpeer/);
  });
});
