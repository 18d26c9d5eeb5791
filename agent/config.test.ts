import { parseConfig, parseControllerList, readTlsMaterial } from './config';
import { ConfigError } from './errors';

/** What a stock Octavia controller writes (octavia/amphorae/backends/agent/templates/amphora_agent_conf.template). */
const OCTAVIA_CONF = `[DEFAULT]
debug = True
use_syslog = True
syslog_log_facility = LOG_LOCAL1

[haproxy_amphora]
base_cert_dir = /var/lib/octavia/certs
base_path = /var/lib/octavia
bind_host = ::
bind_port = 9443
haproxy_cmd = /usr/sbin/haproxy
respawn_count = 2
respawn_interval = 2
use_upstart = True
user_log_facility = 0
administrative_log_facility = 1

[health_manager]
controller_ip_port_list = 192.0.2.10:5555, 2001:db8::10:5555, [2001:db8::11]:5556
heartbeat_interval = 10
heartbeat_key = s3cr;t#key

[amphora_agent]
agent_server_ca = /etc/octavia/certs/client_ca.pem
agent_server_cert = /etc/octavia/certs/server.pem
agent_request_read_timeout = 180
amphora_id = 0d8c2b2e-5c3a-4b8c-9f55-1d1f0b8b5e11
amphora_udp_driver = keepalived_lvs
agent_tls_protocol = TLSv1.2

[controller_worker]
loadbalancer_topology = SINGLE
`;

describe('parseConfig', () => {
  it('reads the file a stock Octavia controller writes, ignoring keys it does not know', () => {
    const c = parseConfig(OCTAVIA_CONF);
    expect(c).toMatchObject({
      debug: true,
      bindHost: '::',
      bindPort: 9443,
      haproxyCmd: '/usr/sbin/haproxy',
      heartbeatInterval: 10,
      serverCaFile: '/etc/octavia/certs/client_ca.pem',
      serverCertFile: '/etc/octavia/certs/server.pem',
      amphoraId: '0d8c2b2e-5c3a-4b8c-9f55-1d1f0b8b5e11',
      requestReadTimeout: 180,
    });
    expect(c.controllers).toEqual([
      { host: '192.0.2.10', port: 5555 },
      { host: '2001:db8::10', port: 5555 },
      { host: '2001:db8::11', port: 5556 },
    ]);
  });

  it('keeps ";" and "#" inside a value, as oslo.config does', () => {
    expect(parseConfig(OCTAVIA_CONF).heartbeatKey).toBe('s3cr;t#key');
  });

  it('applies every default of contract section 5', () => {
    const c = parseConfig('[amphora_agent]\nagent_server_ca = /ca.pem\nagent_server_cert = /cert.pem\n');
    expect(c).toEqual({
      debug: false, bindHost: '0.0.0.0', bindPort: 9443, haproxyCmd: '/usr/sbin/haproxy', nginxCmd: '/usr/sbin/nginx', nginxNonlocalBind: true,
      keepalivedCmd: '/usr/sbin/keepalived', controllers: [], heartbeatInterval: 10, heartbeatKey: '',
      serverCertFile: '/cert.pem', serverCaFile: '/ca.pem', amphoraId: '', requestReadTimeout: 180, engine: 'haproxy',
      stateDir: '/var/lib/amphora-agent', runDir: '/var/lib/amphora-agent/run', maxRequestBytes: 8388608,
      engineTimeout: 30, vrrpInterface: 'eth1',
      vrrpTiming: { advertInt: 1, checkInterval: 5, failCount: 2, successCount: 2, garpRefreshInterval: 5, garpRefreshCount: 2 },
    });
  });

  it('reads the VRRP interface and Octavia\'s [keepalived_vrrp] options', () => {
    const c = parseConfig(`[amphora_agent]\nagent_server_ca = /ca.pem\nagent_server_cert = /cert.pem\nvrrp_interface = ens3.100
[keepalived_vrrp]\nvrrp_advert_int = 2\nvrrp_check_interval = 1\nvrrp_fail_count = 3\nvrrp_success_count = 4\nvrrp_garp_refresh_interval = 0\nvrrp_garp_refresh_count = 6\n`);
    expect(c.vrrpInterface).toBe('ens3.100');
    expect(c.vrrpTiming).toEqual({ advertInt: 2, checkInterval: 1, failCount: 3, successCount: 4, garpRefreshInterval: 0, garpRefreshCount: 6 });
  });

  it.each([
    ['[haproxy_amphora]\nbind_port = 99999', 'haproxy_amphora', 'bind_port'],
    ['[haproxy_amphora]\nbind_host = example.org', 'haproxy_amphora', 'bind_host'],
    ['[DEFAULT]\ndebug = maybe', 'DEFAULT', 'debug'],
    ['[health_manager]\nheartbeat_interval = ten', 'health_manager', 'heartbeat_interval'],
    ['[health_manager]\ncontroller_ip_port_list = 192.0.2.1:http', 'health_manager', 'controller_ip_port_list'],
    ['[health_manager]\ncontroller_ip_port_list = controller:5555', 'health_manager', 'controller_ip_port_list'],
    ['[amphora_agent]\nengine = apache', 'amphora_agent', 'engine'],
    ['[amphora_agent]\nstate_dir = relative/dir', 'amphora_agent', 'state_dir'],
    ['[amphora_agent]\nmax_request_bytes = -1', 'amphora_agent', 'max_request_bytes'],
    ['[amphora_agent]\nvrrp_interface = eth1 }', 'amphora_agent', 'vrrp_interface'],
    ['[amphora_agent]\nvrrp_interface = averyveryverylongname', 'amphora_agent', 'vrrp_interface'],
    ['[amphora_agent]\nvrrp_interface = ..', 'amphora_agent', 'vrrp_interface'],
    ['[keepalived_vrrp]\nvrrp_check_interval = 0', 'keepalived_vrrp', 'vrrp_check_interval'],
    ['[keepalived_vrrp]\nvrrp_advert_int = 1.5', 'keepalived_vrrp', 'vrrp_advert_int'],
  ])('refuses a bad value, naming section and key: %j', (extra, section, key) => {
    const base = '[amphora_agent]\nagent_server_ca = /ca.pem\nagent_server_cert = /cert.pem\n';
    // an extra section header repeats [amphora_agent] harmlessly: ini merges sections
    let err: unknown;
    try {
      parseConfig(`${base}${extra}\n`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ section, key });
    expect((err as Error).message).toContain(`[${section}] ${key}`);
  });

  it('requires the TLS files of the API', () => {
    expect(() => parseConfig('[amphora_agent]\nagent_server_ca = /ca.pem\n')).toThrow('[amphora_agent] agent_server_cert: is required');
  });
});

describe('parseControllerList', () => {
  it('defaults the port to 5555 and skips empty items', () => {
    expect(parseControllerList('192.0.2.1, ,')).toEqual([{ host: '192.0.2.1', port: 5555 }]);
  });
});

describe('readTlsMaterial', () => {
  const cfg = parseConfig('[amphora_agent]\nagent_server_ca = /ca.pem\nagent_server_cert = /cert.pem\n');
  const cert = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';
  const key = '-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n';
  it('wants certificate and key in agent_server_cert', () => {
    const files: Record<string, string> = { '/cert.pem': cert, '/ca.pem': cert };
    expect(() => readTlsMaterial(cfg, (f) => files[f])).toThrow('[amphora_agent] agent_server_cert');
    files['/cert.pem'] = cert + key;
    expect(readTlsMaterial(cfg, (f) => files[f]).certAndKey).toContain('PRIVATE KEY');
  });
  it('names the key of a file it cannot read', () => {
    expect(() => readTlsMaterial(cfg, () => { throw new Error('ENOENT'); })).toThrow('[amphora_agent] agent_server_cert: cannot read /cert.pem');
  });
});
