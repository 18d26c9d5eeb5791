/**
 * One negative test per rule, table style: each case breaks one thing in a
 * contract example and expects exactly the listed errors (path and a fragment
 * of the message), so a rule that stops firing, fires elsewhere, or drags
 * other errors along is caught.
 */
import { loadExample } from '../test/lib/examples';
import { makeTestPki } from './testing/pki';
import { validateDocument } from './validate';
import { regexProblem } from './patterns';

type Example = 'http-basic' | 'mixed-protocols' | 'terminated-https-l7';
type Case = [name: string, example: Example, mutate: (d: any) => unknown, expected: [path: string, fragment: string][]];

const pki = makeTestPki();
const L = 'loadbalancer.listeners';
const P = 'loadbalancer.pools';
const lst = (d: any, i: number) => d.loadbalancer.listeners[i];
const pool = (d: any, i: number) => d.loadbalancer.pools[i];
const rule = (d: any, l: number, p: number, r: number) => d.loadbalancer.listeners[l].l7policies[p].rules[r];
const pol = (d: any, l: number, p: number) => d.loadbalancer.listeners[l].l7policies[p];
const one = (path: string, fragment: string): [string, string][] => [[path, fragment]];

const envelope: Case[] = [
  ['schema_version is required', 'http-basic', (d) => delete d.schema_version, one('schema_version', 'supported: 1.x')],
  ['schema_version is MAJOR.MINOR', 'http-basic', (d) => (d.schema_version = '1'), one('schema_version', 'must be a version "MAJOR.MINOR"')],
  ['another major is refused, naming the supported ones', 'http-basic', (d) => (d.schema_version = '2.0'), one('schema_version', 'major version 2 is not supported; supported: 1.x')],
  ['generation >= 1', 'http-basic', (d) => (d.generation = 0), one('generation', 'must be at least 1')],
  ['generation is an integer', 'http-basic', (d) => (d.generation = 1.5), one('generation', 'int')],
  ['unknown keys are refused in 1.0', 'http-basic', (d) => (lst(d, 0).colour = 'blue'), one(`${L}[0].colour`, 'is not a known field of schema_version 1.0')],
  ['required fields', 'http-basic', (d) => delete lst(d, 0).protocol_port, one(`${L}[0].protocol_port`, 'is required')],
  ['loadbalancer is required', 'http-basic', (d) => delete d.loadbalancer, one('loadbalancer', 'is required')],
  ['ids are id-like', 'http-basic', (d) => (d.loadbalancer.loadbalancer_id = 'has space'), one('loadbalancer.loadbalancer_id', 'must be an id')],
  ['free text has no control characters', 'http-basic', (d) => (d.loadbalancer.name = 'a\nb'), one('loadbalancer.name', 'control characters')],
  ['free text is at most 255 characters', 'http-basic', (d) => (d.loadbalancer.description = 'x'.repeat(256)), one('loadbalancer.description', 'must be at most 255 characters long')],
  ['refs have no spaces', 'terminated-https-l7', (d) => (lst(d, 0).default_tls_container_ref = 'a b'), one(`${L}[0].default_tls_container_ref`, 'must be a reference')],
  ['vip_address is an IP', 'http-basic', (d) => (d.loadbalancer.vip_address = '203.0.113.300'), one('loadbalancer.vip_address', 'must be an IPv4 or IPv6 address')],
  ['IPv6 zone ids are refused', 'http-basic', (d) => (d.loadbalancer.vip_address = 'fe80::1%eth0'), one('loadbalancer.vip_address', 'must be an IPv4 or IPv6 address')],
];

const fields: Case[] = [
  ['protocol_port >= 1', 'http-basic', (d) => (lst(d, 0).protocol_port = 0), one(`${L}[0].protocol_port`, 'must be at least 1')],
  ['protocol_port <= 65535', 'http-basic', (d) => (lst(d, 0).protocol_port = 65536), one(`${L}[0].protocol_port`, 'must be at most 65535')],
  ['listener protocol enum', 'http-basic', (d) => (lst(d, 0).protocol = 'FTP'), one(`${L}[0].protocol`, 'must be one of "HTTP"')],
  ['connection_limit >= -1', 'http-basic', (d) => (lst(d, 0).connection_limit = -2), one(`${L}[0].connection_limit`, 'must be at least -1')],
  ['timeouts <= 24 days', 'http-basic', (d) => (lst(d, 0).timeout_client_data = 24 * 24 * 3600 * 1000 + 1), one(`${L}[0].timeout_client_data`, 'must be at most 2073600000')],
  ['timeouts >= 0', 'http-basic', (d) => (lst(d, 0).timeout_member_connect = -1), one(`${L}[0].timeout_member_connect`, 'must be at least 0')],
  ['insert_headers names', 'http-basic', (d) => (lst(d, 0).insert_headers['X-Evil'] = 'true'), one(`${L}[0].insert_headers.X-Evil`, 'is not a header this agent can insert')],
  ['insert_headers values', 'http-basic', (d) => (lst(d, 0).insert_headers['X-Forwarded-For'] = 'yes'), one(`${L}[0].insert_headers.X-Forwarded-For`, 'must be "true" or "false"')],
  ['allowed_cidrs prefix in range', 'mixed-protocols', (d) => (lst(d, 3).allowed_cidrs = ['10.0.0.0/33']), one(`${L}[3].allowed_cidrs[0]`, 'must be a CIDR')],
  ['allowed_cidrs need a prefix', 'mixed-protocols', (d) => (lst(d, 3).allowed_cidrs = ['10.0.0.1']), one(`${L}[3].allowed_cidrs[0]`, 'must be a CIDR')],
  ['hsts_max_age >= 0', 'terminated-https-l7', (d) => (lst(d, 0).hsts_max_age = -1), one(`${L}[0].hsts_max_age`, 'must be at least 0')],
  ['hsts_max_age is an integer', 'terminated-https-l7', (d) => (lst(d, 0).hsts_max_age = '300'), one(`${L}[0].hsts_max_age`, 'must be of type number')],
  ['hsts flags are booleans', 'terminated-https-l7', (d) => Object.assign(lst(d, 0), { hsts_max_age: 300, hsts_preload: 'yes' }), one(`${L}[0].hsts_preload`, 'must be of type boolean')],
  ['vnic_type is a token', 'http-basic', (d) => (pool(d, 0).members[0].vnic_type = 'normal\nbind :1'), one(`${P}[0].members[0].vnic_type`, 'must be a Neutron vnic_type')],
  ['vip_sg_ids are ids', 'http-basic', (d) => (d.loadbalancer.vip_sg_ids = ['sg 1']), one('loadbalancer.vip_sg_ids[0]', 'must be an id')],
  ['additional_vips refuse unknown keys in 1.0', 'http-basic', (d) => (d.loadbalancer.additional_vips = [{ ip_address: '203.0.113.9', colour: 'blue' }]), one('loadbalancer.additional_vips[0].colour', 'is not a known field of schema_version 1.0')],
  ['tls_ciphers charset', 'terminated-https-l7', (d) => (lst(d, 0).tls_ciphers = 'ECDHE RSA'), one(`${L}[0].tls_ciphers`, 'must be an OpenSSL cipher string')],
  // haproxy -c refuses what OpenSSL's cipher list refuses (checked against haproxy 2.6 in test/integration/haproxy-check)
  ['tls_ciphers OpenSSL knows', 'terminated-https-l7', (d) => (lst(d, 0).tls_ciphers = 'AESa!b'), one(`${L}[0].tls_ciphers`, 'that selects at least one cipher this OpenSSL knows')],
  ['tls_ciphers that select nothing', 'terminated-https-l7', (d) => (lst(d, 0).tls_ciphers = 'HIGH:!ALL'), one(`${L}[0].tls_ciphers`, 'selects at least one cipher')],
  ['tls_ciphers @SECLEVEL in range', 'terminated-https-l7', (d) => (lst(d, 0).tls_ciphers = 'HIGH:@SECLEVEL=9'), one(`${L}[0].tls_ciphers`, 'selects at least one cipher')],
  ['tls_ciphers of TLS 1.3 suites only', 'terminated-https-l7', (d) => (lst(d, 0).tls_ciphers = 'TLS_AES_128_GCM_SHA256'), one(`${L}[0].tls_ciphers`, 'TLS 1.3 suites ("TLS_...") are not set by tls_ciphers')],
  ['pool tls_ciphers OpenSSL knows', 'terminated-https-l7', (d) => (pool(d, 0).tls_ciphers = 'NOSUCHCIPHER'), one(`${P}[0].tls_ciphers`, 'that selects at least one cipher this OpenSSL knows')],
  ['tls_versions enum', 'terminated-https-l7', (d) => (lst(d, 0).tls_versions = ['TLSv1.4']), one(`${L}[0].tls_versions[0]`, 'must be one of "SSLv3"')],
  ['tls_versions not empty', 'terminated-https-l7', (d) => (lst(d, 0).tls_versions = []), one(`${L}[0].tls_versions`, 'must have at least 1 item(s)')],
  ['alpn_protocols enum', 'terminated-https-l7', (d) => (lst(d, 0).alpn_protocols = ['h3']), one(`${L}[0].alpn_protocols[0]`, 'must be one of "h2"')],
  ['client_authentication enum', 'terminated-https-l7', (d) => (lst(d, 0).client_authentication = 'SOMETIMES'), one(`${L}[0].client_authentication`, 'must be one of "NONE"')],
  ['pool protocol enum', 'http-basic', (d) => (pool(d, 0).protocol = 'QUIC'), one(`${P}[0].protocol`, 'must be one of')],
  ['lb_algorithm enum', 'http-basic', (d) => (pool(d, 0).lb_algorithm = 'RANDOM'), one(`${P}[0].lb_algorithm`, 'must be one of "ROUND_ROBIN"')],
  ['member address is an IP', 'http-basic', (d) => (pool(d, 0).members[0].address = 'web-1.local'), one(`${P}[0].members[0].address`, 'must be an IPv4 or IPv6 address')],
  ['member weight <= 256', 'http-basic', (d) => (pool(d, 0).members[0].weight = 257), one(`${P}[0].members[0].weight`, 'must be at most 256')],
  ['member monitor_port in range', 'http-basic', (d) => (pool(d, 0).members[0].monitor_port = 0), one(`${P}[0].members[0].monitor_port`, 'must be at least 1')],
  ['monitor type enum', 'http-basic', (d) => (pool(d, 0).healthmonitor.type = 'GRPC'), one(`${P}[0].healthmonitor.type`, 'must be one of "HTTP"')],
  ['monitor delay >= 1', 'http-basic', (d) => (pool(d, 0).healthmonitor.delay = 0), one(`${P}[0].healthmonitor.delay`, 'must be at least 1')],
  ['monitor max_retries <= 10', 'http-basic', (d) => (pool(d, 0).healthmonitor.max_retries = 11), one(`${P}[0].healthmonitor.max_retries`, 'must be at most 10')],
  ['monitor http_method enum', 'http-basic', (d) => (pool(d, 0).healthmonitor.http_method = 'FETCH'), one(`${P}[0].healthmonitor.http_method`, 'must be one of "GET"')],
  ['expected_codes form', 'http-basic', (d) => (pool(d, 0).healthmonitor.expected_codes = '200-'), one(`${P}[0].healthmonitor.expected_codes`, 'must be an HTTP code')],
  ['expected_codes range order', 'http-basic', (d) => (pool(d, 0).healthmonitor.expected_codes = '204-200'), one(`${P}[0].healthmonitor.expected_codes`, 'low end')],
  ['expected_codes are HTTP codes', 'http-basic', (d) => (pool(d, 0).healthmonitor.expected_codes = '600'), one(`${P}[0].healthmonitor.expected_codes`, 'must be an HTTP code')],
  ['http_version 1.0 or 1.1', 'http-basic', (d) => (pool(d, 0).healthmonitor.http_version = 2), one(`${P}[0].healthmonitor.http_version`, 'must be one of 1, 1.1')],
  ['url_path starts with /', 'http-basic', (d) => (pool(d, 0).healthmonitor.url_path = 'healthz'), one(`${P}[0].healthmonitor.url_path`, 'must be a URL path')],
  ['domain_name is a DNS name', 'http-basic', (d) => (pool(d, 0).healthmonitor.domain_name = 'www_example.com'), one(`${P}[0].healthmonitor.domain_name`, 'must be a DNS name')],
  ['persistence type enum', 'terminated-https-l7', (d) => (pool(d, 0).session_persistence.type = 'URL_PARAM'), one(`${P}[0].session_persistence.type`, 'must be one of "SOURCE_IP"')],
  ['persistence_timeout >= 1', 'mixed-protocols', (d) => (pool(d, 0).session_persistence.persistence_timeout = 0), one(`${P}[0].session_persistence.persistence_timeout`, 'must be at least 1')],
  ['persistence_granularity is an IP mask', 'mixed-protocols', (d) => (pool(d, 0).session_persistence.persistence_granularity = '/32'), one(`${P}[0].session_persistence.persistence_granularity`, 'must be an IPv4 or IPv6 address')],
  ['cookie_name is a token', 'terminated-https-l7', (d) => (pool(d, 1).session_persistence.cookie_name = 'a;b'), one(`${P}[1].session_persistence.cookie_name`, 'must be a cookie name')],
  ['l7policy action enum', 'terminated-https-l7', (d) => (pol(d, 0, 0).action = 'DROP'), one(`${L}[0].l7policies[0].action`, 'must be one of "REJECT"')],
  ['position >= 1', 'terminated-https-l7', (d) => (pol(d, 0, 0).position = 0), one(`${L}[0].l7policies[0].position`, 'must be at least 1')],
  ['redirect_url is http(s)', 'terminated-https-l7', (d) => (pol(d, 0, 3).redirect_url = 'ftp://docs.example.com/'), one(`${L}[0].l7policies[3].redirect_url`, 'must be an absolute http(s) URL')],
  ['redirect_url has a host', 'terminated-https-l7', (d) => (pol(d, 0, 3).redirect_url = 'https:///docs'), one(`${L}[0].l7policies[3].redirect_url`, 'with a host')],
  ['redirect_prefix is a URL', 'terminated-https-l7', (d) => (pol(d, 0, 2).redirect_prefix = '/www'), one(`${L}[0].l7policies[2].redirect_prefix`, 'must be an absolute http(s) URL')],
  ['redirect_http_code enum', 'terminated-https-l7', (d) => (pol(d, 0, 3).redirect_http_code = 304), one(`${L}[0].l7policies[3].redirect_http_code`, 'must be one of 301, 302, 303, 307, 308')],
  ['at most 50 rules a policy', 'terminated-https-l7', (d) => (pol(d, 0, 1).rules = Array.from({ length: 51 }, (_x, i) => ({ ...rule(d, 0, 1, 0), l7rule_id: `r${i}` }))), one(`${L}[0].l7policies[1].rules`, 'must have at most 50 item(s)')],
  ['rule type enum', 'terminated-https-l7', (d) => (rule(d, 0, 1, 0).type = 'QUERY'), one(`${L}[0].l7policies[1].rules[0].type`, 'must be one of "HOST_NAME"')],
  ['compare_type enum', 'terminated-https-l7', (d) => (rule(d, 0, 1, 0).compare_type = 'LIKE'), one(`${L}[0].l7policies[1].rules[0].compare_type`, 'must be one of "REGEX"')],
  ['rule value not empty', 'terminated-https-l7', (d) => (rule(d, 0, 1, 0).value = ''), one(`${L}[0].l7policies[1].rules[0].value`, 'printable ASCII, 1 to 255')],
  ['rule value at most 255', 'terminated-https-l7', (d) => (rule(d, 0, 1, 0).value = '/' + 'a'.repeat(255)), one(`${L}[0].l7policies[1].rules[0].value`, 'printable ASCII, 1 to 255')],
  ['rule key is a token', 'terminated-https-l7', (d) => (rule(d, 0, 0, 0).key = 'User Agent'), one(`${L}[0].l7policies[0].rules[0].key`, 'must be a header, cookie or DN field name')],
  ['topology enum', 'terminated-https-l7', (d) => (d.amphora.topology = 'CLUSTER'), one('amphora.topology', 'must be one of "SINGLE"')],
  ['vrrp_priority <= 254', 'terminated-https-l7', (d) => (d.amphora.vrrp_priority = 255), one('amphora.vrrp_priority', 'must be at most 254')],
];

const cross: Case[] = [
  ['listener ids unique', 'terminated-https-l7', (d) => (lst(d, 1).listener_id = lst(d, 0).listener_id), one(`${L}[1].listener_id`, `duplicates the listener id of ${L}[0].listener_id`)],
  ['pool ids unique', 'terminated-https-l7', (d) => { pool(d, 1).pool_id = pool(d, 0).pool_id; pol(d, 0, 1).redirect_pool_id = pool(d, 0).pool_id; }, one(`${P}[1].pool_id`, `duplicates the pool id of ${P}[0].pool_id`)],
  ['member ids unique across pools', 'terminated-https-l7', (d) => (pool(d, 1).members[0].member_id = pool(d, 0).members[0].member_id), one(`${P}[1].members[0].member_id`, `duplicates the member id of ${P}[0].members[0].member_id`)],
  ['monitor ids unique', 'mixed-protocols', (d) => (pool(d, 1).healthmonitor.healthmonitor_id = pool(d, 0).healthmonitor.healthmonitor_id), one(`${P}[1].healthmonitor.healthmonitor_id`, 'duplicates the healthmonitor id')],
  ['l7policy ids unique', 'terminated-https-l7', (d) => (pol(d, 1, 0).l7policy_id = pol(d, 0, 0).l7policy_id), one(`${L}[1].l7policies[0].l7policy_id`, 'duplicates the l7policy id')],
  ['l7rule ids unique', 'terminated-https-l7', (d) => (rule(d, 0, 1, 1).l7rule_id = rule(d, 0, 1, 0).l7rule_id), one(`${L}[0].l7policies[1].rules[1].l7rule_id`, 'duplicates the l7rule id')],
  ['default_pool_id names a pool', 'http-basic', (d) => (lst(d, 0).default_pool_id = 'no-such-pool'), one(`${L}[0].default_pool_id`, 'names pool "no-such-pool", which is not in loadbalancer.pools')],
  ['redirect_pool_id names a pool', 'terminated-https-l7', (d) => (pol(d, 0, 1).redirect_pool_id = 'no-such-pool'), one(`${L}[0].l7policies[1].redirect_pool_id`, 'which is not in loadbalancer.pools')],
  ['default pool protocol fits the listener', 'http-basic', (d) => (pool(d, 0).protocol = 'TCP'), one(`${L}[0].default_pool_id`, 'names a TCP pool, which a HTTP listener cannot use (allowed: HTTP, PROXY, PROXYV2)')],
  ['redirect pool protocol fits the listener', 'terminated-https-l7', (d) => { pool(d, 1).protocol = 'HTTPS'; pool(d, 1).session_persistence = null; }, one(`${L}[0].l7policies[1].redirect_pool_id`, 'names a HTTPS pool, which a TERMINATED_HTTPS listener cannot use')],
  ['ports unique per protocol family', 'mixed-protocols', (d) => (lst(d, 0).protocol_port = 443), one(`${L}[1].protocol_port`, `is already used by ${L}[0].protocol_port (tcp/443)`)],
  ['PROMETHEUS listeners have no pool', 'mixed-protocols', (d) => (lst(d, 3).default_pool_id = pool(d, 0).pool_id), one(`${L}[3].default_pool_id`, 'must be null: a PROMETHEUS listener')],
  ['nested default_pool is the default pool', 'http-basic', (d) => (lst(d, 0).default_pool = { ...pool(d, 0), pool_id: 'other' }), one(`${L}[0].default_pool.pool_id`, "must equal the listener's default_pool_id")],
  ['back-references name the parent', 'http-basic', (d) => (pool(d, 0).members[0].pool_id = 'someone-else'), one(`${P}[0].members[0].pool_id`, 'must be null or the id of the enclosing object')],
  ['allowed_cidrs match a VIP family', 'mixed-protocols', (d) => (lst(d, 3).allowed_cidrs = ['2001:db8::/32']), one(`${L}[3].allowed_cidrs[0]`, 'is IPv6, but the load balancer has no IPv6 VIP')],
  ['no L7 policies on a PROMETHEUS listener', 'mixed-protocols', (d) => (lst(d, 3).l7policies = [{ l7policy_id: 'p1', action: 'REJECT', position: 1, rules: [] }]), one(`${L}[3].l7policies[0]`, 'a PROMETHEUS listener takes no L7 policies')],
  ['no cookie persistence for a UDP pool', 'mixed-protocols', (d) => (pool(d, 2).session_persistence = { type: 'HTTP_COOKIE' }), one(`${P}[2].session_persistence.type`, 'HTTP_COOKIE persistence is not for UDP pools (SOURCE_IP is)')],
  ['no APP_COOKIE persistence for a UDP pool', 'mixed-protocols', (d) => (pool(d, 2).session_persistence = { type: 'APP_COOKIE', cookie_name: 'sid' }), one(`${P}[2].session_persistence.type`, 'APP_COOKIE persistence is not for UDP pools')],
  ['TERMINATED_HTTPS needs a certificate', 'terminated-https-l7', (d) => delete lst(d, 0).default_tls_container_data, one(`${L}[0].default_tls_container_data`, 'is required for a TERMINATED_HTTPS listener')],
  ['TLS settings only on TERMINATED_HTTPS', 'http-basic', (d) => (lst(d, 0).tls_ciphers = 'HIGH'), one(`${L}[0].tls_ciphers`, 'must be null: only TERMINATED_HTTPS listeners terminate TLS (this one is HTTP)')],
  ['SNI only on TERMINATED_HTTPS', 'http-basic', (d) => (lst(d, 0).sni_container_data = loadExample('terminated-https-l7').loadbalancer.listeners[0].sni_container_data), one(`${L}[0].sni_container_data`, 'must be empty')],
  ['client authentication only on TERMINATED_HTTPS', 'http-basic', (d) => (lst(d, 0).client_authentication = 'OPTIONAL'), [[`${L}[0].client_authentication`, 'must be NONE unless the listener is TERMINATED_HTTPS'], [`${L}[0].client_ca_tls_container_data`, 'is required when client_authentication is OPTIONAL']]],
  ['client authentication needs a CA', 'terminated-https-l7', (d) => { lst(d, 0).client_authentication = 'MANDATORY'; delete lst(d, 0).client_ca_tls_container_data; }, one(`${L}[0].client_ca_tls_container_data`, 'is required when client_authentication is MANDATORY')],
  ['a client CRL needs a client CA', 'terminated-https-l7', (d) => Object.assign(lst(d, 0), { client_authentication: 'NONE', client_ca_tls_container_data: null, client_crl_container_data: pki.crl }), one(`${L}[0].client_crl_container_data`, 'needs client_ca_tls_container_data')],
  ['X-SSL headers need TERMINATED_HTTPS', 'http-basic', (d) => (lst(d, 0).insert_headers['X-SSL-Client-CN'] = 'true'), one(`${L}[0].insert_headers.X-SSL-Client-CN`, 'needs a TERMINATED_HTTPS listener')],
  ['inserted headers need HTTP', 'mixed-protocols', (d) => (lst(d, 0).insert_headers = { 'X-Forwarded-For': 'true' }), one(`${L}[0].insert_headers.X-Forwarded-For`, 'needs an HTTP or TERMINATED_HTTPS listener, not TCP')],
  ['member endpoints unique in a pool', 'http-basic', (d) => (pool(d, 0).members[1].address = pool(d, 0).members[0].address), one(`${P}[0].members[1]`, 'has the same address and protocol_port as members[0]')],
  ['UDP pools take UDP-fit monitors', 'mixed-protocols', (d) => (pool(d, 2).healthmonitor.type = 'PING'), one(`${P}[2].healthmonitor.type`, 'must be UDP-CONNECT, SCTP, TCP or HTTP for a UDP pool')],
  ['UDP-CONNECT monitors only on UDP/SCTP pools', 'mixed-protocols', (d) => (pool(d, 0).healthmonitor.type = 'UDP-CONNECT'), one(`${P}[0].healthmonitor.type`, 'UDP-CONNECT monitors are only for UDP or SCTP pools')],
  ['HTTP fields only on HTTP monitors', 'mixed-protocols', (d) => (pool(d, 0).healthmonitor.url_path = '/x'), one(`${P}[0].healthmonitor.url_path`, 'must be null for a TCP monitor')],
  ['domain_name needs HTTP/1.1', 'http-basic', (d) => (pool(d, 0).healthmonitor.http_version = 1.0), one(`${P}[0].healthmonitor.domain_name`, 'needs http_version 1.1')],
  ['monitor timeout <= delay', 'http-basic', (d) => (pool(d, 0).healthmonitor.timeout = 10), one(`${P}[0].healthmonitor.timeout`, 'must not be longer than delay')],
  ['APP_COOKIE needs cookie_name', 'terminated-https-l7', (d) => delete pool(d, 1).session_persistence.cookie_name, one(`${P}[1].session_persistence.cookie_name`, 'is required for APP_COOKIE persistence')],
  ['cookie_name only for APP_COOKIE', 'terminated-https-l7', (d) => (pool(d, 0).session_persistence.cookie_name = 'sid'), one(`${P}[0].session_persistence.cookie_name`, 'must be null for HTTP_COOKIE persistence')],
  ['no TLS towards UDP members', 'mixed-protocols', (d) => (pool(d, 2).tls_enabled = true), one(`${P}[2].tls_enabled`, 'TLS towards members is not possible for a UDP pool')],
  ['a pool CRL needs a pool CA', 'terminated-https-l7', (d) => { pool(d, 0).crl_container_data = pki.crl; delete pool(d, 0).ca_tls_container_data; }, one(`${P}[0].crl_container_data`, 'needs ca_tls_container_data')],
  ['REDIRECT_TO_URL needs redirect_url', 'terminated-https-l7', (d) => (pol(d, 0, 3).redirect_url = null), one(`${L}[0].l7policies[3].redirect_url`, 'is required for a REDIRECT_TO_URL policy')],
  ['REDIRECT_TO_POOL needs redirect_pool_id', 'terminated-https-l7', (d) => delete pol(d, 0, 1).redirect_pool_id, one(`${L}[0].l7policies[1].redirect_pool_id`, 'is required for a REDIRECT_TO_POOL policy')],
  ['REDIRECT_PREFIX needs redirect_prefix', 'terminated-https-l7', (d) => delete pol(d, 0, 2).redirect_prefix, one(`${L}[0].l7policies[2].redirect_prefix`, 'is required for a REDIRECT_PREFIX policy')],
  ['a policy names one target only', 'terminated-https-l7', (d) => (pol(d, 0, 3).redirect_prefix = 'https://www.example.com'), one(`${L}[0].l7policies[3].redirect_prefix`, 'must be null for a REDIRECT_TO_URL policy')],
  ['policy positions unique per listener', 'terminated-https-l7', (d) => (pol(d, 0, 1).position = 1), one(`${L}[0].l7policies[1].position`, 'is also the position of l7policies[0]')],
  ['HEADER rules need a key', 'terminated-https-l7', (d) => (rule(d, 0, 0, 0).key = null), one(`${L}[0].l7policies[0].rules[0].key`, 'is required for a HEADER rule')],
  ['COOKIE rules need a key', 'terminated-https-l7', (d) => delete rule(d, 0, 3, 1).key, one(`${L}[0].l7policies[3].rules[1].key`, 'is required for a COOKIE rule')],
  ['SSL_DN_FIELD rules need a key', 'terminated-https-l7', (d) => Object.assign(rule(d, 0, 0, 0), { type: 'SSL_DN_FIELD', key: null, compare_type: 'EQUAL_TO', value: 'ops' }), one(`${L}[0].l7policies[0].rules[0].key`, 'is required for an SSL_DN_FIELD rule')],
  ['SSL_DN_FIELD keys are DN fields', 'terminated-https-l7', (d) => Object.assign(rule(d, 0, 0, 0), { type: 'SSL_DN_FIELD', key: 'O_U', compare_type: 'EQUAL_TO', value: 'ops' }), one(`${L}[0].l7policies[0].rules[0].key`, 'must be a distinguished-name field')],
  ['other rules take no key', 'terminated-https-l7', (d) => (rule(d, 0, 1, 0).key = 'X-Path'), one(`${L}[0].l7policies[1].rules[0].key`, 'must be null for a PATH rule')],
  ['REGEX values compile', 'terminated-https-l7', (d) => (rule(d, 0, 3, 0).value = '^/(docs'), one(`${L}[0].l7policies[3].rules[0].value`, 'is not a valid regular expression')],
  // JavaScript compiles these; haproxy's PCRE2 does not (test/integration/haproxy-check has the full table)
  ['REGEX values PCRE2 accepts: escapes', 'terminated-https-l7', (d) => (rule(d, 0, 3, 0).value = '^/api/\\u0041'), one(`${L}[0].l7policies[3].rules[0].value`, '"\\u" is a regular expression construct haproxy\'s PCRE2 does not accept')],
  ['REGEX values PCRE2 accepts: numbered back-references', 'terminated-https-l7', (d) => (rule(d, 0, 3, 0).value = '(a)\\1'), one(`${L}[0].l7policies[3].rules[0].value`, 'without numbered capture groups')],
  ['REGEX values PCRE2 accepts: empty classes', 'terminated-https-l7', (d) => (rule(d, 0, 3, 0).value = '^/[^]'), one(`${L}[0].l7policies[3].rules[0].value`, '"[^]" is not accepted')],
  ['FILE_TYPE compares REGEX or EQUAL_TO', 'terminated-https-l7', (d) => Object.assign(rule(d, 0, 1, 0), { type: 'FILE_TYPE', compare_type: 'STARTS_WITH', value: 'jpg' }), one(`${L}[0].l7policies[1].rules[0].compare_type`, 'must be REGEX or EQUAL_TO for a FILE_TYPE rule')],
  ['COOKIE values are cookie octets', 'terminated-https-l7', (d) => (rule(d, 0, 3, 1).value = 'a b'), one(`${L}[0].l7policies[3].rules[1].value`, 'must be a cookie value')],
  ['SSL_CONN_HAS_CERT compares EQUAL_TO', 'terminated-https-l7', (d) => Object.assign(rule(d, 0, 0, 0), { type: 'SSL_CONN_HAS_CERT', key: null, compare_type: 'CONTAINS', value: 'True' }), one(`${L}[0].l7policies[0].rules[0].compare_type`, 'must be EQUAL_TO for an SSL_CONN_HAS_CERT rule')],
  ['SSL_CONN_HAS_CERT value is True', 'terminated-https-l7', (d) => Object.assign(rule(d, 0, 0, 0), { type: 'SSL_CONN_HAS_CERT', key: null, compare_type: 'EQUAL_TO', value: 'yes' }), one(`${L}[0].l7policies[0].rules[0].value`, 'must be "True"')],
  ['SSL_VERIFY_RESULT compares EQUAL_TO', 'terminated-https-l7', (d) => Object.assign(rule(d, 0, 0, 0), { type: 'SSL_VERIFY_RESULT', key: null, compare_type: 'STARTS_WITH', value: '0' }), one(`${L}[0].l7policies[0].rules[0].compare_type`, 'must be EQUAL_TO for an SSL_VERIFY_RESULT rule')],
  ['SSL_VERIFY_RESULT value is a number', 'terminated-https-l7', (d) => Object.assign(rule(d, 0, 0, 0), { type: 'SSL_VERIFY_RESULT', key: null, compare_type: 'EQUAL_TO', value: 'ok' }), one(`${L}[0].l7policies[0].rules[0].value`, 'must be a non-negative integer')],
  ['ACTIVE_STANDBY needs MASTER or BACKUP', 'terminated-https-l7', (d) => (d.amphora.role = 'STANDALONE'), one('amphora.role', 'must be MASTER or BACKUP in an ACTIVE_STANDBY topology')],
  ['ACTIVE_STANDBY needs vrrp_address', 'terminated-https-l7', (d) => delete d.amphora.vrrp_address, one('amphora.vrrp_address', 'is required in an ACTIVE_STANDBY topology')],
  ['ACTIVE_STANDBY needs a peer', 'terminated-https-l7', (d) => (d.amphora.vrrp_peers = []), one('amphora.vrrp_peers', 'needs at least one peer')],
  ['MASTER needs ACTIVE_STANDBY', 'terminated-https-l7', (d) => (d.amphora.topology = 'SINGLE'), one('amphora.role', 'MASTER needs the ACTIVE_STANDBY topology')],
  ['a peer is not this amphora (address)', 'terminated-https-l7', (d) => (d.amphora.vrrp_peers[0].address = d.amphora.vrrp_address), one('amphora.vrrp_peers[0].address', "must differ from this amphora's vrrp_address")],
  ['peers share the family of vrrp_address', 'terminated-https-l7', (d) => (d.amphora.vrrp_peers[0].address = '2001:db8::12'), one('amphora.vrrp_peers[0].address', 'must be IPv4 like vrrp_address')],
  ['HSTS only on TERMINATED_HTTPS', 'terminated-https-l7', (d) => (lst(d, 1).hsts_max_age = 300), one(`${L}[1].hsts_max_age`, 'must be null: HSTS needs a TERMINATED_HTTPS listener (this one is HTTP)')],
  ['hsts_include_subdomains needs hsts_max_age', 'terminated-https-l7', (d) => Object.assign(lst(d, 0), { hsts_max_age: null, hsts_include_subdomains: true }), one(`${L}[0].hsts_include_subdomains`, 'must be false unless hsts_max_age is set')],
  ['hsts_preload needs hsts_max_age', 'http-basic', (d) => (lst(d, 0).hsts_preload = true), one(`${L}[0].hsts_preload`, 'must be false unless hsts_max_age is set')],
  ['a peer is not this amphora (id)', 'terminated-https-l7', (d) => (d.amphora.vrrp_peers[0].id = d.amphora.id), one('amphora.vrrp_peers[0].id', "must differ from this amphora's id")],
];

const tlsOf = (d: any) => lst(d, 0).default_tls_container_data;
const pem: Case[] = [
  ['certificates are PEM', 'terminated-https-l7', (d) => (tlsOf(d).certificate = 'hello'), one(`${L}[0].default_tls_container_data.certificate`, 'is not a PEM certificate')],
  ['certificate fields hold certificates only', 'terminated-https-l7', (d) => (tlsOf(d).certificate = pki.leafKey), one(`${L}[0].default_tls_container_data.certificate`, 'holds a PEM block "PRIVATE KEY" where only certificates belong')],
  ['certificates parse', 'terminated-https-l7', (d) => (tlsOf(d).certificate = tlsOf(d).certificate.replace(/\n.{8}/, '\nAAAAAAAA')), one(`${L}[0].default_tls_container_data.certificate`, 'holds a certificate that does not parse')],
  ['intermediates are certificates', 'terminated-https-l7', (d) => (tlsOf(d).intermediates = [pki.crl]), one(`${L}[0].default_tls_container_data.intermediates[0]`, 'where only certificates belong')],
  ['client CA is certificates', 'terminated-https-l7', (d) => (lst(d, 0).client_ca_tls_container_data = pki.leafKey), one(`${L}[0].client_ca_tls_container_data`, 'where only certificates belong')],
  ['private keys are one PEM key', 'terminated-https-l7', (d) => (tlsOf(d).private_key = pki.leafCert), one(`${L}[0].default_tls_container_data.private_key`, 'is not one PEM private key')],
  ['encrypted keys need the passphrase', 'terminated-https-l7', (d) => Object.assign(tlsOf(d), { certificate: pki.leafCert, private_key: pki.leafKeyPkcs8Encrypted, passphrase: null }), one(`${L}[0].default_tls_container_data.private_key`, 'or needs a passphrase')],
  ['encrypted keys open with the right passphrase', 'terminated-https-l7', (d) => Object.assign(tlsOf(d), { certificate: pki.leafCert, private_key: pki.leafKeyTraditionalEncrypted, passphrase: 'wrong' }), one(`${L}[0].default_tls_container_data.private_key`, 'does not open with the given passphrase')],
  ['the key matches the certificate', 'terminated-https-l7', (d) => Object.assign(tlsOf(d), { certificate: pki.leafCert, private_key: pki.otherKey }), one(`${L}[0].default_tls_container_data.private_key`, 'does not match the certificate')],
  ['CRL fields hold CRLs only', 'terminated-https-l7', (d) => (pool(d, 0).crl_container_data = pki.caCert), one(`${P}[0].crl_container_data`, 'where only X509 CRLs belong')],
  ['CRLs are DER CertificateLists', 'terminated-https-l7', (d) => (pool(d, 0).crl_container_data = pki.caCert.replace(/CERTIFICATE/g, 'X509 CRL')), one(`${P}[0].crl_container_data`, 'holds a CRL that is not a DER CertificateList')],
  ['PEM text has no other characters', 'terminated-https-l7', (d) => (pool(d, 0).ca_tls_container_data += '# x'), one(`${P}[0].ca_tls_container_data`, 'must be PEM text')],
];

function errorsOf(example: Example, mutate: (d: any) => unknown) {
  const doc = loadExample(example);
  mutate(doc);
  const r = validateDocument(doc);
  return r.ok ? [] : r.errors;
}

describe.each([
  ['envelope and common fields', envelope],
  ['field rules', fields],
  ['cross-object rules', cross],
  ['PEM rules', pem],
] as const)('%s', (_group, table) => {
  it.each(table)('%s', (_name, example, mutate, expected) => {
    const errors = errorsOf(example, mutate);
    expect(errors).toHaveLength(expected.length);
    expected.forEach(([path, fragment], i) => {
      expect(errors[i]).toEqual({ path, message: expect.stringContaining(fragment) });
    });
  });
});

describe('what the rules allow', () => {
  it.each<[string, Example, (d: any) => unknown]>([
    ['the same port on TCP and UDP', 'mixed-protocols', (d) => (lst(d, 0).protocol_port = 53)],
    ['an encrypted PKCS#8 key with its passphrase', 'terminated-https-l7', (d) => Object.assign(tlsOf(d), { certificate: pki.leafCert, private_key: pki.leafKeyPkcs8Encrypted, passphrase: pki.passphrase })],
    ['a traditional encrypted key with its passphrase', 'terminated-https-l7', (d) => Object.assign(tlsOf(d), { certificate: pki.leafCert, private_key: pki.leafKeyTraditionalEncrypted, passphrase: pki.passphrase })],
    ['an intermediate chain', 'terminated-https-l7', (d) => Object.assign(tlsOf(d), { certificate: pki.leafCert, private_key: pki.leafKey, intermediates: [pki.caCert] })],
    ['a real CRL with its CA', 'terminated-https-l7', (d) => Object.assign(lst(d, 0), { client_ca_tls_container_data: pki.caCert, client_crl_container_data: pki.crl })],
    ['a CRL with CRLF line ends', 'terminated-https-l7', (d) => Object.assign(pool(d, 0), { crl_container_data: pki.crl.replace(/\n/g, '\r\n') })],
    ['expected_codes lists with spaces (as Octavia)', 'http-basic', (d) => (pool(d, 0).healthmonitor.expected_codes = '200, 202')],
    ['an IPv6 member behind an IPv4 VIP', 'http-basic', (d) => (pool(d, 0).members[0].address = '2001:db8::5')],
    ['a REGEX rule on a header', 'terminated-https-l7', (d) => Object.assign(rule(d, 0, 0, 0), { compare_type: 'REGEX', value: '^(Bad|Evil)Bot/[0-9]+$' })],
    ['tls_ciphers mixing TLS 1.3 suites and 1.2 ciphers (haproxy ignores the former there)', 'terminated-https-l7', (d) => (lst(d, 0).tls_ciphers = 'TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256')],
    ['tls_ciphers with an unknown name beside known ones (OpenSSL skips it)', 'terminated-https-l7', (d) => (pool(d, 0).tls_ciphers = 'NOSUCH:HIGH:!aNULL:@STRENGTH')],
    ['HSTS on TERMINATED_HTTPS with both flags', 'terminated-https-l7', (d) => Object.assign(lst(d, 0), { hsts_max_age: 31536000, hsts_include_subdomains: true, hsts_preload: true })],
    ['unused HSTS keys as Octavia sends them on any listener', 'http-basic', (d) => Object.assign(lst(d, 0), { hsts_max_age: null, hsts_include_subdomains: false, hsts_preload: false })],
    ['vnic_type and vip_sg_ids as Octavia 2025.1 sends them', 'http-basic', (d) => { pool(d, 0).members[0].vnic_type = 'direct'; d.loadbalancer.vip_sg_ids = ['6b6a3b8e-6b1a-4d59-9e5e-1f1f1f1f1f1f']; }],
    ['SSL_DN_FIELD rules on TERMINATED_HTTPS', 'terminated-https-l7', (d) => Object.assign(rule(d, 0, 0, 0), { type: 'SSL_DN_FIELD', key: 'OU', compare_type: 'EQUAL_TO', value: 'ops' })],
  ])('%s', (_name, example, mutate) => {
    expect(errorsOf(example, mutate)).toEqual([]);
  });
});

describe('regular expressions haproxy\'s PCRE2 refuses, and why', () => {
  it.each<[string, string | null]>([
    ['^/(docs|help)(/.*)?$', null],
    ['(?<id>\\d+)-\\k<id>', null],
    ['[\\w.-]+\\.(?:png|jpe?g)$', null],
    ['(?<=/v1)/items', null],
    ['\\u0041', '"\\u" is a regular expression construct haproxy\'s PCRE2 does not accept'],
    ['\\c', '"\\c" is not accepted: only \\c followed by a letter reads the same in haproxy\'s PCRE2 and JavaScript'],
    ['[:alpha:]', '"[:alpha:]" is a regular expression construct haproxy\'s PCRE2 does not accept outside a character class (write [[:alpha:]])'],
    ['[\\w[:alpha:]', '"[\\w[:alpha:]" is a regular expression construct haproxy\'s PCRE2 does not accept (PCRE2 reads a POSIX class in it, so the class is not closed)'],
    ['\\x{1,2}', '"\\x{" is a regular expression construct haproxy\'s PCRE2 does not accept without {hex digits}'],
    ['\\Q|\\E', '"\\Q" is not accepted: haproxy\'s PCRE2 quotes up to \\E what JavaScript reads as a pattern; quote only text without brackets, parentheses, "|" or "\\"'],
    ['\\Q.*\\E$', null],
    ['\\k<a>', '"\\k" is a regular expression construct haproxy\'s PCRE2 does not accept except as a reference to a named group'],
    ['\\8', '"\\8" is a regular expression construct haproxy\'s PCRE2 does not accept (haproxy compiles ACL regexes without numbered capture groups; use a named group)'],
    ['[\\d-z]', '"[\\d-z]" is a regular expression construct haproxy\'s PCRE2 does not accept (a range with a class such as \\d as an end)'],
    ['x[]', '"[]" is not accepted: haproxy\'s PCRE2 reads a "]" first in a class as a literal, JavaScript as its end (write \\])'],
    ['[^]a]', '"[^]" is not accepted: haproxy\'s PCRE2 reads a "]" first in a class as a literal, JavaScript as its end (write \\])'],
    ['(?<=a+)b', '"(?<=a+)" is a regular expression construct haproxy\'s PCRE2 does not accept (a lookbehind must have a fixed length)'],
    ['\\p{L}', '"\\p" is not accepted: a Unicode property name cannot be checked against haproxy\'s PCRE2 here; use a character class'],
    ['(', 'is not a valid regular expression'],
  ])('%p', (value, problem) => {
    expect(regexProblem(value)).toBe(problem);
  });
});
