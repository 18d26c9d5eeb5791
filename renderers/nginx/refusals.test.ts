/** What nginx refuses, field by field, and what it serves of the same features (checkCapabilities for nginx). */
import { checkCapabilities, haproxyCapabilities, nginxCapabilities } from '../index';
import { basic, exampleTls, m1, m2, rawDoc, rawListener, rawMember, rawPolicy, rawPool, rawRule, valid } from '../../test/lib/render-fixtures';

const CAPS = nginxCapabilities('1.22.1');
const issues = (raw: unknown) => checkCapabilities(valid(raw), CAPS);
const paths = (raw: unknown) => issues(raw).map((i) => i.path);
const rule = (type: string, cmp: string, value: string, extra = {}) => rawDoc([rawListener('l1', 80, 'p1', { l7policies: [rawPolicy('pol', 'REJECT', [rawRule('r', type, cmp, value, extra)])] })], [rawPool('p1', [m1])]);

test.each([
  ['PROXYV2 pool', rawDoc([rawListener('l1', 80, 'p1', { protocol: 'TCP' })], [rawPool('p1', [m1], { protocol: 'PROXYV2' })]), ['loadbalancer.pools[0].protocol']],
  ['PROXY pool behind HTTP', basic({ protocol: 'PROXY' }), ['loadbalancer.listeners[0].default_pool_id']],
  ['PROXY pool behind TCP (served)', rawDoc([rawListener('l1', 80, 'p1', { protocol: 'TCP' })], [rawPool('p1', [m1], { protocol: 'PROXY' })]), []],
  ['PROXY pool by REDIRECT_TO_POOL', rawDoc([rawListener('l1', 80, 'p1', { l7policies: [rawPolicy('pol', 'REDIRECT_TO_POOL', [rawRule('r', 'PATH', 'STARTS_WITH', '/x')], { redirect_pool_id: 'p2' })] })], [rawPool('p1', [m1]), rawPool('p2', [m2], { protocol: 'PROXY' })]), ['loadbalancer.listeners[0].l7policies[0].redirect_pool_id']],
  ['pool CA', basic({ tls_enabled: true, ca_tls_container_data: exampleTls().ca }), ['loadbalancer.pools[0].ca_tls_container_data']],
  ['pool client certificate (served)', basic({ tls_enabled: true, tls_container_data: exampleTls().container }), []],
  ['h2 to members', basic({ tls_enabled: true, alpn_protocols: ['h2', 'http/1.1'] }), ['loadbalancer.pools[0].alpn_protocols']],
  ['http/1.1 to members (served)', basic({ tls_enabled: true, alpn_protocols: ['http/1.1'] }), []],
  ['backup with SOURCE_IP', basic({ lb_algorithm: 'SOURCE_IP' }, {}, [m1, rawMember('m2', '192.0.2.2', 80, { backup: true })]), ['loadbalancer.pools[0].members[1].backup']],
  ['backup with SOURCE_IP persistence', basic({ session_persistence: { type: 'SOURCE_IP' } }, {}, [m1, rawMember('m2', '192.0.2.2', 80, { backup: true })]), ['loadbalancer.pools[0].members[1].backup']],
  ['backup with ROUND_ROBIN (served)', basic({}, {}, [m1, rawMember('m2', '192.0.2.2', 80, { backup: true })]), []],
  ['granularity /25', basic({ session_persistence: { type: 'SOURCE_IP', persistence_granularity: '255.255.255.128' } }), ['loadbalancer.pools[0].session_persistence.persistence_granularity']],
  ['granularity /16 (served)', basic({ session_persistence: { type: 'SOURCE_IP', persistence_granularity: '255.255.0.0' } }), []],
  ['APP_COOKIE named AMPHORA_SRV', basic({ session_persistence: { type: 'APP_COOKIE', cookie_name: 'AMPHORA_SRV' } }), ['loadbalancer.pools[0].session_persistence.cookie_name']],
  ['header key with "."', rule('HEADER', 'EQUAL_TO', 'v', { key: 'X.Key' }), ['loadbalancer.listeners[0].l7policies[0].rules[0].key']],
  ['header key with "_"', rule('HEADER', 'EQUAL_TO', 'v', { key: 'X_Key' }), ['loadbalancer.listeners[0].l7policies[0].rules[0].key']],
  ['header key X-Key (served)', rule('HEADER', 'EQUAL_TO', 'v', { key: 'X-Key' }), []],
  ['cookie key with "." (served: cookies are read from the header)', rule('COOKIE', 'EQUAL_TO', 'v', { key: 'connect.sid' }), []],
  ['REGEX with a named group', rule('PATH', 'REGEX', '^/(?<x>a)$'), ['loadbalancer.listeners[0].l7policies[0].rules[0].value']],
  ['REGEX with groups (served)', rule('PATH', 'REGEX', '^/(a|b)(?:c)$'), []],
  ['SSLv3 alone', rawDoc([rawListener('l1', 443, 'p1', { protocol: 'TERMINATED_HTTPS', default_tls_container_data: exampleTls().container, tls_versions: ['SSLv3'] })], [rawPool('p1', [m1])]), ['loadbalancer.listeners[0].tls_versions']],
])('%s', (_name, raw, want) => {
  expect(paths(raw)).toEqual(want);
  for (const i of issues(raw)) expect(i.message).toMatch(/ is not served by nginx 1\.22\.1$/);
});

test('haproxy serves every one of those', () => {
  const doc = basic({ protocol: 'PROXY', lb_algorithm: 'SOURCE_IP' }, {}, [m1, rawMember('m2', '192.0.2.2', 80, { backup: true })]);
  expect(checkCapabilities(valid(doc), haproxyCapabilities('2.6.12'))).toEqual([]);
});

test('SSLv3 beside another version is served (the other one connects)', () => {
  const raw = rawDoc([rawListener('l1', 443, 'p1', { protocol: 'TERMINATED_HTTPS', default_tls_container_data: exampleTls().container, tls_versions: ['SSLv3', 'TLSv1.2'] })], [rawPool('p1', [m1])]);
  expect(paths(raw)).toEqual([]);
});

test('nginxCapabilities: 1.22 serves every protocol but SCTP and PROMETHEUS, and lists its restrictions; an older nginx serves nothing', () => {
  expect(CAPS.protocols).toEqual(['HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'TCP', 'UDP']);
  expect(CAPS.monitorTypes).toEqual(['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT']);
  expect(CAPS.persistenceTypes).toEqual(['SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE']);
  expect(CAPS.l7RuleTypes).toHaveLength(8);
  expect(CAPS.restrictions?.map((r) => r.field)).toEqual(expect.arrayContaining(['loadbalancer.pools[].protocol', 'loadbalancer.pools[].ca_tls_container_data']));
  const old = nginxCapabilities('1.14.2');
  expect([old.protocols, old.algorithms]).toEqual([[], []]);
  expect(checkCapabilities(valid(basic()), old)[0]).toEqual({ path: 'loadbalancer.listeners[0].protocol', message: 'protocol HTTP is not served by nginx 1.14.2' });
});
