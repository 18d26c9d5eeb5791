/**
 * The agent's API over mutual TLS against the real agent and real haproxy:
 * refused without a client certificate, every route, 400/409/413, the
 * same-content no-op, secrets redacted, traffic balanced, DELETE stops serving.
 */
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { AgentProcess, alive, makeCerts, tempDir, until, freePort, type Certs } from '../lib/agent-harness';
import { get, startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { httpBasicDoc, loopbackExample } from '../lib/agent-docs';

jest.setTimeout(60000);

const NET = '127.20.1';
let work: string;
let certs: Certs;
let agent: AgentProcess;
let backends: Backend[];
let vipPort: number;

beforeAll(async () => {
  work = tempDir('agent-api-');
  certs = makeCerts(`${work}/certs`, `${NET}.1`);
  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
  vipPort = await freePort(`${NET}.2`);
  agent = new AgentProcess({ ip: `${NET}.1`, certs, extraConf: 'max_request_bytes = 65536' }, work);
  await agent.start();
});

afterAll(async () => {
  await agent?.cleanup();
  await stopBackends(backends ?? []);
  fs.rmSync(work, { recursive: true, force: true });
});

const doc = (generation: number, weights = [1, 1]) => httpBasicDoc(generation, { host: `${NET}.2`, port: vipPort }, backends, weights);

describe('mutual TLS', () => {
  it('refuses a connection without a client certificate', async () => {
    await expect(agent.api('GET', '/v1/info', undefined, { noCert: true })).rejects.toThrow();
  });
  it('refuses a client certificate from another CA', async () => {
    await expect(agent.api('GET', '/v1/info', undefined, { cert: certs.rogueCert, key: certs.rogueKey })).rejects.toThrow();
  });
  it('sends no HTTP byte to a client without a certificate', async () => {
    const got = await new Promise<string>((resolve) => {
      const s = tls.connect({ host: `${NET}.1`, port: agent.port, ca: fs.readFileSync(certs.ca), servername: 'localhost' }, () => s.write('GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n'));
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('error', () => resolve(data));
      s.on('close', () => resolve(data));
    });
    expect(got).not.toContain('HTTP/1.1');
  });
});

describe('routes', () => {
  it('GET /v1/info names the engine, its real version, OpenSSL and capabilities', async () => {
    const r = await agent.api('GET', '/v1/info');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      api_versions: ['v1'], schema_versions: ['1.x'], amphora_id: '11111111-2222-4333-8444-555555555555',
      engine: { name: 'haproxy', version: expect.stringMatching(/^\d+\.\d+/) },
      openssl_version: expect.stringContaining('OpenSSL'),
      capabilities: { engine: 'haproxy', protocols: expect.arrayContaining(['HTTP', 'TCP']) },
    });
  });

  it('GET /v1/loadbalancer and /v1/config answer 404 before anything is applied', async () => {
    expect((await agent.api('GET', '/v1/loadbalancer')).status).toBe(404);
    expect((await agent.api('GET', '/v1/config')).body.code).toBe('NOT_APPLIED');
  });

  it('answers 404 for an unknown route', async () => {
    expect((await agent.api('GET', '/v2/nothing')).status).toBe(404);
  });

  it('POST /v1/loadbalancer/validate checks a document with haproxy without applying it', async () => {
    const r = await agent.api('POST', '/v1/loadbalancer/validate', doc(1));
    expect(r).toMatchObject({ status: 200, body: { valid: true, generation: 1 } });
    expect(agent.masterPid()).toBeNull();
  });

  it('PUT applies a document and haproxy balances traffic over both members', async () => {
    const r = await agent.api('PUT', '/v1/loadbalancer', doc(1));
    expect(r).toMatchObject({ status: 200, body: { result: 'applied', generation: 1, reloaded: true } });
    const seen = new Set<string>();
    await until('both backends to answer through the VIP', async () => {
      const res = await get(`${NET}.2`, vipPort);
      if (res.status === 200) seen.add(res.body.trim());
      return seen.size === 2;
    });
    expect([...seen].sort()).toEqual(['alpha', 'beta']);
  });

  it('GET /v1/loadbalancer, /v1/config and /v1/details report what is applied', async () => {
    const lb = await agent.api('GET', '/v1/loadbalancer');
    expect(lb.body).toMatchObject({ generation: 1, status: 'ACTIVE', document: { generation: 1 } });
    const cfg = await agent.api('GET', '/v1/config');
    expect(cfg.body.main).toBe('haproxy.cfg');
    expect(cfg.body.files['haproxy.cfg']).toContain(`${NET}.2:${vipPort}`);
    const det = await agent.api('GET', '/v1/details');
    expect(det.body).toMatchObject({
      applied_generation: 1, config_hash: lb.body.hash,
      engine_process: { running: true, stats_socket: expect.stringContaining('haproxy.sock') },
      listeners: { [doc(1).loadbalancer.listeners[0].listener_id]: { status: 'OPEN' } },
    });
  });

  it('the same generation and content is a no-op: 200 without a reload (same worker pid)', async () => {
    const before = (await agent.api('GET', '/v1/details')).body.engine_process.worker_pid;
    const r = await agent.api('PUT', '/v1/loadbalancer', doc(1));
    expect(r).toMatchObject({ status: 200, body: { result: 'unchanged', reloaded: false } });
    expect((await agent.api('GET', '/v1/details')).body.engine_process.worker_pid).toBe(before);
  });

  it('409 for a lower generation and for the same generation with other content', async () => {
    await agent.api('PUT', '/v1/loadbalancer', doc(2));
    const stale = await agent.api('PUT', '/v1/loadbalancer', doc(1));
    expect(stale).toMatchObject({ status: 409, body: { code: 'GENERATION_STALE', applied_generation: 2 } });
    const conflict = await agent.api('PUT', '/v1/loadbalancer', doc(2, [1, 5]));
    expect(conflict).toMatchObject({ status: 409, body: { code: 'GENERATION_CONFLICT' } });
    const det = await agent.api('GET', '/v1/details');
    expect(det.body.last_refused).toMatchObject({ generation: 2, code: 'GENERATION_CONFLICT', at: expect.any(String) });
  });

  it('400 lists every problem with its full path; the refusal shows in details', async () => {
    const bad = doc(3);
    bad.loadbalancer.listeners[0].protocol = 'GOPHER';
    bad.loadbalancer.pools[0].members[1].address = 'not-an-ip';
    const r = await agent.api('PUT', '/v1/loadbalancer', bad);
    expect(r.status).toBe(400);
    const paths = r.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['loadbalancer.listeners[0].protocol', 'loadbalancer.pools[0].members[1].address']));
    const det = await agent.api('GET', '/v1/details');
    expect(det.body.last_refused).toMatchObject({ generation: 3, status: 400, errors: expect.arrayContaining([expect.objectContaining({ path: 'loadbalancer.pools[0].members[1].address' })]) });
  });

  it('400 for malformed JSON and for JSON that is not an object', async () => {
    expect((await agent.api('PUT', '/v1/loadbalancer', undefined, { raw: '{"generation": ' })).body.code).toBe('MALFORMED_BODY');
    expect((await agent.api('PUT', '/v1/loadbalancer', undefined, { raw: '[1,2]' })).status).toBe(400);
    expect((await agent.api('POST', '/v1/loadbalancer/validate', undefined, { raw: '"text"' })).status).toBe(400);
  });

  it('413 for a body over max_request_bytes, declared or streamed', async () => {
    const big = Buffer.alloc(70000, 'x');
    expect((await agent.api('PUT', '/v1/loadbalancer', undefined, { raw: big })).status).toBe(413);
    const chunked = await agent.api('PUT', '/v1/loadbalancer', undefined, { raw: big, chunked: true }).catch((e: Error) => e);
    // a streamed body is cut off at the limit: 413, or the connection closed under the sender
    if (chunked instanceof Error) expect(chunked.message).toMatch(/EPIPE|ECONNRESET|socket hang up/);
    else expect(chunked.status).toBe(413);
    expect((await agent.api('GET', '/v1/info')).status).toBe(200);
  });

  it('redacts private keys in GET /v1/loadbalancer and GET /v1/config', async () => {
    const ports = [await freePort(`${NET}.2`), await freePort(`${NET}.2`)];
    const d = loopbackExample('terminated-https-l7', 10, `${NET}.2`, ports, backends);
    const r = await agent.api('PUT', '/v1/loadbalancer', d);
    expect(r.body).toMatchObject({ result: 'applied' });
    const lb = await agent.api('GET', '/v1/loadbalancer');
    expect(JSON.stringify(lb.body)).not.toMatch(/PRIVATE KEY-----\\n[A-Za-z0-9+/]/);
    expect(lb.body.document.loadbalancer.listeners[0].default_tls_container_data.private_key).toBe('<redacted>');
    const cfg = await agent.api('GET', '/v1/config');
    const all = JSON.stringify(cfg.body.files);
    expect(all).not.toContain('PRIVATE KEY-----\\n');
    expect(Object.values(cfg.body.files)).toContain('<redacted>');
  });

  it('DELETE stops serving and forgets the document', async () => {
    const master = agent.masterPid()!;
    const r = await agent.api('DELETE', '/v1/loadbalancer');
    expect(r).toMatchObject({ status: 200, body: { deleted: true } });
    await until('haproxy to exit', () => !alive(master));
    expect((await agent.api('GET', '/v1/loadbalancer')).status).toBe(404);
    await expect(get(`${NET}.2`, vipPort)).rejects.toThrow();
    // forgotten: generation 1 is welcome again
    expect((await agent.api('PUT', '/v1/loadbalancer', doc(1))).body.result).toBe('applied');
  });
});
