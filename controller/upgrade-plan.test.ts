import { validExample } from '../test/lib/render-fixtures';
import { details } from '../test/lib/ctl-fixtures';
import { differences, planUpgrade } from './upgrade-plan';

const H = 'd'.repeat(64);
const doc = validExample('http-basic');
const old = details({ amphora_id: 'amp-old', applied_generation: doc.generation, config_hash: H });
const fresh = details({ amphora_id: 'amp-new' });

test('same VMs, the old serving the document, the new empty and its dry run valid: it moves', () => {
  const p = planUpgrade({ doc, old, new: fresh, oldDryRun: { ok: true, hash: H, unchanged: true }, newDryRun: { ok: true, hash: H, unchanged: false } });
  expect(p).toMatchObject({ moves: true, blockers: [], differences: [], generation: doc.generation });
  expect(p.old).toEqual({ amphora_id: 'amp-old', applied_generation: doc.generation, config_hash: H, serves_document: true });
  expect(p.new).toMatchObject({ amphora_id: 'amp-new', applied_generation: null });
});

test('the old VM serving another document is said, not a blocker of the plan', () => {
  const p = planUpgrade({ doc, old, new: fresh, oldDryRun: { ok: true, hash: H, unchanged: false }, newDryRun: { ok: true, hash: H, unchanged: false } });
  expect(p).toMatchObject({ moves: true, old: { serves_document: false } });
});

test('blockers: same amphora id, none at all, a newer generation on the new VM, its dry run refused with paths and engine words', () => {
  const same = planUpgrade({ doc, old, new: details({ amphora_id: 'amp-old' }), oldDryRun: null, newDryRun: null });
  expect(same.blockers).toEqual([{ path: 'agent.amphora_id', message: 'both VMs report amphora id amp-old: their heartbeats cannot be told apart' }]);
  const none = planUpgrade({ doc, old, new: details({ amphora_id: null }), oldDryRun: null, newDryRun: null });
  expect(none.blockers).toEqual([{ path: 'agent.amphora_id', message: 'the new VM reports no amphora id (amphora_id in its config): its heartbeats cannot be matched' }]);
  const ahead = planUpgrade({ doc, old, new: details({ amphora_id: 'amp-new', applied_generation: doc.generation + 1 }), oldDryRun: null, newDryRun: null });
  expect(ahead.blockers).toEqual([{ path: 'generation', message: `the new VM already applied generation ${doc.generation + 1}, newer than ${doc.generation}` }]);
  const errors = [{ path: 'loadbalancer.listeners[0].protocol', message: 'protocol HTTP is not served by nginx 1.22' }];
  const refused = planUpgrade({ doc, old, new: fresh, oldDryRun: null, newDryRun: { ok: false, status: 400, code: 'DOCUMENT_INVALID', message: 'the document has 1 error(s)', errors } });
  expect(refused).toMatchObject({ moves: false, blockers: errors });
  const engine = planUpgrade({ doc, old, new: fresh, oldDryRun: null, newDryRun: { ok: false, status: 422, code: 'ENGINE_REFUSED', message: 'haproxy -c refused', engine_output: 'line1\n[ALERT] no SSLv3\n' } });
  expect(engine.blockers).toEqual([{ path: 'agent.validate', message: "the new VM's dry run answered 422 ENGINE_REFUSED: haproxy -c refused: line1 | [ALERT] no SSLv3" }]);
});

test('a capability the new VM lacks blocks once, even when its dry run says the same', () => {
  const lacking = details({ amphora_id: 'amp-new' });
  lacking.capabilities = { ...lacking.capabilities, algorithms: ['LEAST_CONNECTIONS'] };
  const msg = { path: 'loadbalancer.pools[0].lb_algorithm', message: 'algorithm ROUND_ROBIN is not served by haproxy 2.6.12' };
  const p = planUpgrade({ doc, old, new: lacking, oldDryRun: null, newDryRun: { ok: false, status: 400, code: 'DOCUMENT_INVALID', message: 'x', errors: [msg] } });
  expect(p.blockers).toEqual([msg]);
});

test('differences: engine, versions, and what only each side serves', () => {
  const n = details({ agent_version: '0.2.0', engine: { name: 'nginx', version: '1.22.1' } });
  n.capabilities = { ...n.capabilities, engine: 'nginx', protocols: ['HTTP', 'TCP', 'QUIC'] };
  expect(differences(old, n)).toEqual([
    { what: 'engine', old: 'haproxy 2.6.12', new: 'nginx 1.22.1' },
    { what: 'agent_version', old: '0.1.0', new: '0.2.0' },
    { what: 'capabilities.protocols', old: 'HTTPS,TERMINATED_HTTPS,UDP,SCTP,PROMETHEUS', new: 'QUIC' },
  ]);
});
