import { checkCapabilities, haproxyCapabilities, rendererFor, renderHaproxy, renderNginx } from './index';
import { validExample } from '../test/lib/render-fixtures';

test.each([
  ['2.6.12', true],
  ['2.6.12-1+deb12u4', true],
  ['2.8.3', true],
  ['3.0.0', true],
  ['2.4.22', false],
  ['1.8.30', false],
])('haproxy %s: modern features %p', (version, modern) => {
  const c = haproxyCapabilities(version);
  expect(c.engine).toBe('haproxy');
  expect(c.version).toBe(version);
  expect(c.protocols.includes('PROMETHEUS')).toBe(modern);
  expect(c.algorithms.includes('SOURCE_IP_PORT')).toBe(modern);
  expect(c.monitorTypes.includes('HTTP')).toBe(modern);
  expect(c.protocols).toEqual(expect.arrayContaining(['HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'TCP', 'UDP', 'SCTP']));
  expect(c.persistenceTypes).toEqual(['SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE']);
  expect(c.l7RuleTypes).toHaveLength(8);
});

test('the registry names each engine\'s renderer', () => {
  expect(rendererFor('haproxy')).toBe(renderHaproxy);
  expect(rendererFor('nginx')).toBe(renderNginx);
});

test('checkCapabilities: the examples fit haproxy 2.6; an older haproxy lacks what they use', () => {
  for (const name of ['http-basic', 'mixed-protocols', 'terminated-https-l7']) expect(checkCapabilities(validExample(name), haproxyCapabilities('2.6.12'))).toEqual([]);
  const issues = checkCapabilities(validExample('mixed-protocols'), haproxyCapabilities('2.4.22'));
  expect(issues).toEqual(
    expect.arrayContaining([
      { path: 'loadbalancer.listeners[3].protocol', message: 'protocol PROMETHEUS is not served by haproxy 2.4.22' },
      expect.objectContaining({ path: expect.stringMatching(/^loadbalancer\.pools\[\d\]\.lb_algorithm$/), message: 'algorithm SOURCE_IP_PORT is not served by haproxy 2.4.22' }),
    ]),
  );
});
