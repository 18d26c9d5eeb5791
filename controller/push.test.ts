import type { ApplyAnswer } from './agent-answers';
import type { AgentAnswer, AgentClient } from './agent-client';
import { AgentUnreachable } from './errors';
import { classifyPut, countByStatus, pushDocument } from './push';

const A = 'https://192.0.2.1:9443';
const put = (status: number, body: unknown): AgentAnswer<ApplyAnswer> => ({ status, body: body as ApplyAnswer });

describe('classifyPut: every answer of PUT /v1/loadbalancer', () => {
  test.each([
    [put(200, { result: 'applied', generation: 4, hash: 'h', reloaded: true }), { status: 'applied', serving: true, generation: 4, config_hash: 'h' }],
    [put(200, { result: 'unchanged', generation: 4, hash: 'h', reloaded: false }), { status: 'unchanged', serving: true, message: 'already serving generation 4' }],
    [
      put(400, { code: 'DOCUMENT_INVALID', message: 'the document has 1 error(s)', errors: [{ path: 'loadbalancer.listeners[0].protocol_port', message: 'must be at most 65535' }] }),
      { status: 'invalid', serving: false, errors: [{ path: 'loadbalancer.listeners[0].protocol_port', message: 'must be at most 65535' }] },
    ],
    [put(409, { code: 'GENERATION_STALE', message: 'lower', generation: 3, applied_generation: 5 }), { status: 'stale', serving: false, applied_generation: 5, generation: 3 }],
    [put(409, { code: 'GENERATION_CONFLICT', message: 'other content', generation: 4, applied_generation: 4 }), { status: 'conflict', serving: false }],
    [put(422, { code: 'ENGINE_REFUSED', message: 'haproxy -c refused', engine_output: '[ALERT] bad' }), { status: 'engine_refused', engine_output: '[ALERT] bad' }],
    [put(503, { code: 'APPLY_FAILED', message: 'reload failed', rolled_back: true }), { status: 'apply_failed', rolled_back: true, serving: false }],
    [put(413, { code: 'BODY_TOO_LARGE', message: 'too big' }), { status: 'error', http_status: 413, message: 'BODY_TOO_LARGE: too big' }],
    [put(502, '<html>bad gateway</html>'), { status: 'error', message: 'answered 502: <html>bad gateway</html>' }],
  ])('%#', (answer, expected) => expect(classifyPut(A, answer, 7)).toMatchObject({ agent: A, ms: 7, ...expected }));
});

describe('pushDocument', () => {
  const client = (url: string, fn: () => Promise<AgentAnswer<ApplyAnswer>>) => ({ url, putLoadBalancer: fn }) as unknown as AgentClient;
  test('an unreachable agent is an outcome, not a throw; order kept; every outcome reported once', async () => {
    const seen: string[] = [];
    const out = await pushDocument({ generation: 1 }, [
      client('https://a', async () => put(200, { result: 'applied', generation: 1, hash: 'h', reloaded: true })),
      client('https://b', async () => { throw new AgentUnreachable('connect ECONNREFUSED'); }),
      client('https://c', async () => { throw new Error('something odd'); }),
    ], { limit: 2, onOutcome: (o) => seen.push(o.agent) });
    expect(out.map((o) => [o.agent, o.status, o.serving])).toEqual([['https://a', 'applied', true], ['https://b', 'unreachable', false], ['https://c', 'error', false]]);
    expect(out[1].message).toContain('ECONNREFUSED');
    expect(seen.sort()).toEqual(['https://a', 'https://b', 'https://c']);
    expect(countByStatus(out)).toEqual({ applied: 1, unreachable: 1, error: 1 });
  });
});
