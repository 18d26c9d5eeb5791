import { validExample } from '../test/lib/render-fixtures';
import { details } from '../test/lib/ctl-fixtures';
import { acceptsSchemaVersion, serveBlockers } from './serve-check';

test.each([
  [['1.x'], '1.0', true],
  [['1.x'], '1.7', true],
  [['1.x'], '2.0', false],
  [['1.0'], '1.0', true],
  [['1.0'], '1.1', false],
  [['1.x', '2.x'], '2.3', true],
  [[], '1.0', false],
])('%j accepts %s: %p', (list, v, ok) => expect(acceptsSchemaVersion(list, v)).toBe(ok));

describe('serveBlockers', () => {
  test('the examples fit a haproxy 2.6 agent', () => {
    for (const n of ['http-basic', 'mixed-protocols']) expect(serveBlockers(details(), validExample(n))).toEqual([]);
    // this one carries its VM's place (ACTIVE_STANDBY): it fits the VM it names
    const tls = validExample('terminated-https-l7');
    expect(serveBlockers(details({ amphora_id: tls.amphora!.id }), tls)).toEqual([]);
  });

  test('API, schema version and capabilities, each with its path', () => {
    const d = details({ api_versions: ['v2'], schema_versions: ['2.x'] });
    d.capabilities = { ...d.capabilities, version: '2.4.22', protocols: d.capabilities.protocols.filter((p) => p !== 'PROMETHEUS'), algorithms: ['ROUND_ROBIN'] };
    const doc = validExample('mixed-protocols');
    const b = serveBlockers(d, doc);
    expect(b).toEqual(expect.arrayContaining([
      { path: 'agent.api_versions', message: 'the agent speaks API v2; this controller speaks v1' },
      { path: 'schema_version', message: '1.0 is not accepted by the agent (it accepts 2.x)' },
      { path: 'loadbalancer.listeners[3].protocol', message: 'protocol PROMETHEUS is not served by haproxy 2.4.22' },
      expect.objectContaining({ path: expect.stringMatching(/^loadbalancer\.pools\[\d\]\.lb_algorithm$/) }),
    ]));
    expect(b.map((x) => x.path)).not.toContain('amphora.id');
  });

  test('a document naming another VM in its amphora block cannot move unchanged', () => {
    const doc = validExample('terminated-https-l7');
    expect(serveBlockers(details({ amphora_id: 'amp-new' }), doc)).toEqual([
      { path: 'amphora.id', message: `names amphora ${doc.amphora!.id}, but this VM is amp-new: its place (role, vrrp_address, peers) must be rebuilt for this VM` },
    ]);
  });

  test('an info without readable capabilities is a blocker, not a crash', () => {
    const d = details();
    (d as { capabilities: unknown }).capabilities = { protocols: ['HTTP'] };
    expect(serveBlockers(d, validExample('http-basic'))).toEqual([{ path: 'agent.capabilities', message: 'the agent reports no readable capabilities in /v1/info' }]);
  });
});
