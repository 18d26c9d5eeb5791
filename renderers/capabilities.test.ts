import { haproxyCapabilities, renderers, renderHaproxy } from './index';

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

test('the registry names the haproxy renderer', () => expect(renderers.haproxy).toBe(renderHaproxy));
