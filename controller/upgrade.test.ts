import { validExample } from '../test/lib/render-fixtures';
import { beat, details } from '../test/lib/ctl-fixtures';
import type { AgentDetails } from './agent-answers';
import type { AgentClient } from './agent-client';
import type { Heard } from './heartbeat-source';
import { migrate } from './upgrade';

const H = 'e'.repeat(64);
const doc = validExample('http-basic');

/** A fake agent: its details, its dry-run answer, its PUT answer; counts what it was sent. */
function fakeAgent(url: string, d: AgentDetails, validate: { status: number; body: unknown }, put?: { status: number; body: unknown }) {
  const calls: string[] = [];
  const client = {
    url,
    details: async () => (calls.push('details'), { status: 200, body: d }),
    validate: async () => (calls.push('validate'), validate),
    putLoadBalancer: async () => (calls.push('put'), put ?? { status: 500, body: 'not expected' }),
  } as unknown as AgentClient;
  return { client, calls };
}

function setup(o: { oldUnchanged?: boolean; put?: { status: number; body: unknown }; heard?: (t: number) => Record<string, Heard | undefined> } = {}) {
  let t = 1_000;
  const old = fakeAgent('https://old', details({ amphora_id: 'amp-old', applied_generation: doc.generation, config_hash: H }), { status: 200, body: { valid: true, generation: doc.generation, hash: H, unchanged: o.oldUnchanged ?? true } });
  const neu = fakeAgent('https://new', details({ amphora_id: 'amp-new' }), { status: 200, body: { valid: true, generation: doc.generation, hash: H, unchanged: false } },
    o.put ?? { status: 200, body: { result: 'applied', generation: doc.generation, hash: H, reloaded: true } });
  const run = (timeoutMs = 10_000) =>
    migrate({
      from: old.client, to: neu.client, raw: doc, doc, timeoutMs, pollMs: 500,
      source: { latest: (id) => (o.heard ? o.heard(t)[id] : undefined) },
      now: () => t,
      sleep: async (ms) => { t += ms; },
    });
  return { old, neu, run };
}

const heard = (id: string, at: number, over = {}): Heard => ({ id, seq: at, heardAt: at, message: beat(id, H, over) });

test('pushes to the new VM, waits for heartbeats after the push that match, then says the old may go; the old VM gets reads only', async () => {
  const s = setup({
    heard: (t) => ({
      'amp-old': heard('amp-old', t),
      // the new VM's members come up a little after the push
      'amp-new': heard('amp-new', t, t < 3_000 ? { pools: { 'p1:l1': { status: 'UP', members: { m1: 'DOWN', m2: 'DOWN' } } } } : {}),
    }),
  });
  const r = await s.run();
  expect(r).toMatchObject({ result: 'retire_old', differences: [], push: { status: 'applied', config_hash: H } });
  expect(r.message).toContain('the old VM may be retired');
  expect(r.heartbeats.new!.heardAt).toBeGreaterThanOrEqual(3_000);
  expect(s.old.calls.sort()).toEqual(['details', 'validate']);
  expect(s.neu.calls.sort()).toEqual(['details', 'put', 'validate']);
});

test('heartbeats from before the push do not count', async () => {
  const s = setup({ heard: () => ({ 'amp-old': heard('amp-old', 500), 'amp-new': heard('amp-new', 500) }) });
  const r = await s.run(2_000);
  expect(r).toMatchObject({ result: 'timeout', differences: ['no heartbeat from the old VM amp-old since the push', 'no heartbeat from the new VM amp-new since the push'] });
});

test('a mismatch that lasts is a timeout naming it; an unusable source is named too', async () => {
  const s = setup({ heard: (t) => ({ 'amp-old': heard('amp-old', t), 'amp-new': heard('amp-new', t, { listeners: {} }) }) });
  expect(await s.run(3_000)).toMatchObject({ result: 'timeout', differences: ['listener l1 reported by the old VM only'] });
  const broken = setup({ heard: () => { throw new Error('the watch state file is stale'); } });
  expect(await broken.run(1_000)).toMatchObject({ result: 'timeout', differences: ['the watch state file is stale'] });
});

test('the old VM not serving this document blocks before anything is pushed', async () => {
  const s = setup({ oldUnchanged: false });
  const r = await s.run();
  expect(r).toMatchObject({ result: 'blocked', push: null });
  expect(r.message).toMatch(/the old VM serves generation \d+ \(config_hash e+\), not this document/);
  expect(s.neu.calls).not.toContain('put');
});

test('a push the new VM refuses is reported with its paths', async () => {
  const errors = [{ path: 'loadbalancer.listeners[0].protocol_port', message: 'is in use' }];
  const s = setup({ put: { status: 400, body: { code: 'DOCUMENT_INVALID', message: 'the document has 1 error(s)', errors } } });
  expect(await s.run()).toMatchObject({ result: 'push_failed', push: { status: 'invalid', errors } });
});
