/**
 * The published API schemas tell the truth: every answer of every route of a
 * real agent (127.80.4.0/24), each outcome and each error code the API can be
 * driven to, parses against its schema in schemas/api.ts built strict (a key
 * the schema does not describe fails too). The codes no request can provoke
 * on a healthy VM are checked on the error classes' own bodies.
 */
import * as net from 'node:net';
import type { z } from 'zod';
import { buildApiSchemas, ERROR_CODES } from '../../schemas/api';
import { AgentError, ApplyFailed, BodyTooLarge, DocumentInvalid, DocumentTooLarge, EngineFailed, EngineRefused, EngineTimeout, GenerationConflict, MalformedBody, NotApplied, RenderFailed, RouteNotFound, StaleGeneration, StorageFull } from '../../agent/errors';
import { freePort, type ApiResponse } from '../lib/agent-harness';
import { useAgent } from '../lib/agent-fixture';
import { httpBasicDoc, loopbackExample } from '../lib/agent-docs';
import { loadExample } from '../lib/examples';

jest.setTimeout(60000);

const NET = '127.80.4';
const A = buildApiSchemas(true);
const f = useAgent(NET, { prefix: 'agent-api-schemas-', backends: ['alpha', 'beta'], agent: { heartbeat: { controllers: `${NET}.9:5555`, intervalSec: 1 }, extraConf: 'max_request_bytes = 200000\nvrrp_interface = nosuchnic0' } });
let vipPort: number;
const codesSeen = new Set<string>();
beforeAll(async () => {
  vipPort = await freePort(`${NET}.2`);
});

const doc = (generation: number, weight = 1) => httpBasicDoc(generation, { host: `${NET}.2`, port: vipPort }, f.backends, [weight, weight]);

/** The answer parses against `schema` (strict); its status is `status`. */
function conforms(r: ApiResponse, status: number, schema: z.ZodType): void {
  const parsed = schema.safeParse(r.body);
  if (!parsed.success) throw new Error(`${status} answer does not match its schema: ${JSON.stringify(parsed.error.issues)}\n${JSON.stringify(r.body)}`);
  expect(r.status).toBe(status);
}
function error(r: ApiResponse, status: number, code: string): void {
  conforms(r, status, A.errorBody);
  expect(r.body.code).toBe(code);
  codesSeen.add(code);
}

test('before any document: info, details, 404 NOT_APPLIED, DELETE of nothing', async () => {
  conforms(await f.agent.api('GET', '/v1/info'), 200, A.info);
  const det = await f.agent.api('GET', '/v1/details');
  conforms(det, 200, A.details);
  expect(det.body.applied_generation).toBeNull();
  error(await f.agent.api('GET', '/v1/loadbalancer'), 404, 'NOT_APPLIED');
  error(await f.agent.api('GET', '/v1/config'), 404, 'NOT_APPLIED');
  const del = await f.agent.api('DELETE', '/v1/loadbalancer');
  conforms(del, 200, A.deleted);
  expect(del.body.deleted).toBe(false);
});

test('validate, apply, unchanged, and what is applied', async () => {
  const v = await f.agent.api('POST', '/v1/loadbalancer/validate', doc(1));
  conforms(v, 200, A.validateResult);
  expect(v.body.unchanged).toBe(false);
  const put = await f.agent.api('PUT', '/v1/loadbalancer', doc(1));
  conforms(put, 200, A.applyResult);
  expect(put.body).toMatchObject({ result: 'applied', reloaded: true });
  const again = await f.agent.api('PUT', '/v1/loadbalancer', doc(1));
  conforms(again, 200, A.applyResult);
  expect(again.body).toMatchObject({ result: 'unchanged', reloaded: false });
  const v2 = await f.agent.api('POST', '/v1/loadbalancer/validate', doc(1));
  conforms(v2, 200, A.validateResult);
  expect(v2.body.unchanged).toBe(true);
  conforms(await f.agent.api('GET', '/v1/loadbalancer'), 200, A.applied);
  conforms(await f.agent.api('GET', '/v1/config'), 200, A.configFiles);
});

test('details once applied, with heartbeats and the last refusal', async () => {
  const bad = doc(2);
  bad.loadbalancer.listeners[0].protocol_port = 0;
  error(await f.agent.api('PUT', '/v1/loadbalancer', bad), 400, 'DOCUMENT_INVALID');
  const det = await f.agent.api('GET', '/v1/details');
  conforms(det, 200, A.details);
  expect(det.body).toMatchObject({ applied_generation: 1, last_refused: { code: 'DOCUMENT_INVALID' }, heartbeat: { running: true } });
  expect(Object.values(det.body.listeners)).toEqual([expect.objectContaining({ status: 'OPEN' })]);
});

test('every error the API can be driven to', async () => {
  error(await f.agent.api('PUT', '/v1/loadbalancer', undefined, { raw: '{"generation": ' }), 400, 'MALFORMED_BODY');
  error(await f.agent.api('PUT', '/v1/loadbalancer', undefined, { raw: '[1, 2]' }), 400, 'MALFORMED_BODY');
  error(await f.agent.api('POST', '/v1/loadbalancer/validate', { schema_version: '1.0' }), 400, 'DOCUMENT_INVALID');
  error(await f.agent.api('PUT', '/v1/loadbalancer', undefined, { raw: `{"pad": "${'x'.repeat(250000)}"}` }), 413, 'BODY_TOO_LARGE');
  error(await f.agent.api('PUT', '/v1/loadbalancer', doc(1, 2)), 409, 'GENERATION_CONFLICT');
  expect((await f.agent.api('PUT', '/v1/loadbalancer', doc(2))).status).toBe(200);
  error(await f.agent.api('PUT', '/v1/loadbalancer', doc(1)), 409, 'GENERATION_STALE');
  error(await f.agent.api('POST', '/v1/loadbalancer/validate', doc(1)), 409, 'GENERATION_STALE');
  const ports = [await freePort(`${NET}.2`), await freePort(`${NET}.2`)];
  const refusedByEngine = loopbackExample('terminated-https-l7', 3, `${NET}.2`, ports, f.backends);
  refusedByEngine.loadbalancer.listeners[0].tls_versions = ['SSLv3'];
  error(await f.agent.api('PUT', '/v1/loadbalancer', refusedByEngine), 422, 'ENGINE_REFUSED');
  error(await f.agent.api('POST', '/v1/loadbalancer/validate', refusedByEngine), 422, 'ENGINE_REFUSED');
  // an ACTIVE_STANDBY amphora whose configured VRRP NIC this VM lacks
  const vrrp = loopbackExample('terminated-https-l7', 3, `${NET}.2`, ports, f.backends);
  vrrp.amphora = loadExample('terminated-https-l7').amphora;
  const refusedVrrp = await f.agent.api('PUT', '/v1/loadbalancer', vrrp);
  error(refusedVrrp, 422, 'VRRP_INTERFACE_MISSING');
  expect(refusedVrrp.body.vrrp_interface).toBe('nosuchnic0');
  // a listener port another process holds: the reload fails and generation 2 is restored
  const blocker = net.createServer();
  const taken = await freePort(`${NET}.2`);
  await new Promise<void>((r) => blocker.listen(taken, `${NET}.2`, () => r()));
  try {
    const d = doc(4);
    d.loadbalancer.listeners[0].protocol_port = taken;
    const r = await f.agent.api('PUT', '/v1/loadbalancer', d);
    error(r, 503, 'APPLY_FAILED');
    expect(r.body.rolled_back).toBe(true);
  } finally {
    blocker.close();
  }
  error(await f.agent.api('GET', '/v1/nowhere'), 404, 'NOT_FOUND');
  error(await f.agent.api('POST', '/v1/info'), 404, 'NOT_FOUND');
  const del = await f.agent.api('DELETE', '/v1/loadbalancer');
  conforms(del, 200, A.deleted);
  expect(del.body.deleted).toBe(true);
});

test('the bodies of the codes no request provokes on a healthy VM conform too, and every code is covered', () => {
  const rest: AgentError[] = [
    new RenderFailed('the document cannot be rendered: x'),
    new EngineFailed('haproxy did not start'),
    new AgentError('unexpected'),
    // provoked by test/reliability (a slow haproxy, a full tmpfs, a worker over its heap)
    new EngineTimeout('reload', 3000, 'late', true), new EngineTimeout('check', 3000), new StorageFull('/s', 'the new state record', 100, 10),
    new StorageFull('/s', 'the new state record', null, 10, { rolledBack: true, message: 'rolled back' }), new DocumentTooLarge(256),
    // also built directly: the same classes the requests above met
    new MalformedBody('not JSON'), new BodyTooLarge(10), new DocumentInvalid([{ path: 'generation', message: 'is required' }]),
    new StaleGeneration(1, 2), new GenerationConflict(2), new EngineRefused('refused', 'words', '/x'), new ApplyFailed('failed', true), new NotApplied(), new RouteNotFound('no route'),
  ];
  for (const e of rest) {
    const parsed = A.errorBody.safeParse(e.toBody());
    expect(parsed.error?.issues ?? []).toEqual([]);
    codesSeen.add(e.code);
  }
  expect([...codesSeen].sort()).toEqual([...ERROR_CODES].sort());
});
