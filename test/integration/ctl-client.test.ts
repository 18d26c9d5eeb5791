/**
 * The controller against a real agent (bin/amphora-agent with haproxy) whose
 * certificates `amphora-ctl certs` made: the client library's reads of the
 * agent's real answers, and `push`, `validate`, `info` and `status` with every
 * outcome an operator meets (applied, unchanged, stale, conflict, refused by
 * haproxy with its words, unreachable), their exit codes and --json.
 * Loopback block 127.70.1.0/24.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AgentDetails, AgentInfo } from '../../controller/agent-answers';
import { AgentClient, AgentUnreachable, expectOk } from '../../controller/agent-client';
import { AgentProcess, freePort, ROOT, tempDir } from '../lib/agent-harness';
import { get, startBackend, stopBackends, type Backend } from '../lib/agent-backends';
import { httpBasicDoc, loopbackExample } from '../lib/agent-docs';
import { loadExample } from '../lib/examples';
import { agentCerts, certsArgs, ctl, labPki } from '../lib/ctl-harness';

jest.setTimeout(90_000);

const NET = '127.70.1';
const AMP = '7a1e0000-0000-4000-8000-000000000001';
let work: string;
let pki: Awaited<ReturnType<typeof labPki>>;
let agent: AgentProcess;
let backends: Backend[];
let vipPort: number;
let url: string;
let deadUrl: string;

const docFile = (name: string, d: unknown) => {
  const f = path.join(work, `${name}.json`);
  fs.writeFileSync(f, JSON.stringify(d));
  return f;
};
const doc = (generation: number, weights = [1, 1]) => httpBasicDoc(generation, { host: `${NET}.2`, port: vipPort }, backends, weights);
const client = () => AgentClient.fromUrl(url, { ca: fs.readFileSync(pki.ca), cert: fs.readFileSync(pki.controllerCert), key: fs.readFileSync(pki.controllerKey) }, 10_000);

beforeAll(async () => {
  work = tempDir('ctl-client-');
  pki = await labPki(path.join(work, 'pki'));
  backends = [await startBackend('alpha', `${NET}.3`), await startBackend('beta', `${NET}.3`)];
  vipPort = await freePort(`${NET}.2`);
  agent = new AgentProcess({ ip: `${NET}.1`, certs: await agentCerts(pki, AMP, `${NET}.1`), amphoraId: AMP }, work);
  await agent.start();
  url = `https://${NET}.1:${agent.port}`;
  deadUrl = `https://${NET}.1:${await freePort(`${NET}.1`)}`;
});

afterAll(async () => {
  await agent?.cleanup();
  await stopBackends(backends ?? []);
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the client library against the real agent', () => {
  test('info and details carry the fields the controller reads, with their types', async () => {
    const info = expectOk((await client().info()), 'info') as AgentInfo;
    expect(info).toMatchObject({ amphora_id: AMP, api_versions: ['v1'], schema_version: '1.0', engine: { name: 'haproxy', version: expect.stringMatching(/^2\.\d+/) } });
    expect(info.schema_versions).toEqual(['1.x']);
    for (const k of ['protocols', 'algorithms', 'monitorTypes', 'persistenceTypes', 'l7RuleTypes'] as const) expect(info.capabilities[k]).toEqual(expect.arrayContaining([expect.any(String)]));
    const d = expectOk(await client().details(), 'details') as AgentDetails;
    expect(d).toMatchObject({ applied_generation: null, config_hash: null, last_refused: null, listeners: {}, engine_process: { running: false } });
    expect(d.heartbeat).toMatchObject({ targets: [`${NET}.1:5555`], last_send_error: null });
  });

  test('the agent certificate names the amphora id: a client checking that name instead of the IP connects', async () => {
    const id = { ca: fs.readFileSync(pki.ca), cert: fs.readFileSync(pki.controllerCert), key: fs.readFileSync(pki.controllerKey) };
    const byName = new AgentClient({ host: `${NET}.1`, port: agent.port, ...id, servername: AMP });
    expect((await byName.info()).status).toBe(200);
    const wrongName = new AgentClient({ host: `${NET}.1`, port: agent.port, ...id, servername: 'another-amphora' });
    await expect(wrongName.info()).rejects.toThrow(AgentUnreachable);
    await expect(wrongName.info()).rejects.toThrow(/altnames/);
  });
});

test('an agent that accepts but never answers is unreachable after the request timeout', async () => {
  const silent = net.createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, `${NET}.5`, () => r()));
  try {
    const port = (silent.address() as net.AddressInfo).port;
    const c = new AgentClient({ host: `${NET}.5`, port, ca: fs.readFileSync(pki.ca), cert: fs.readFileSync(pki.controllerCert), key: fs.readFileSync(pki.controllerKey), timeoutMs: 300 });
    const e = await c.info().then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(AgentUnreachable);
    expect((e as Error).message).toBe(`GET /v1/info to https://${NET}.5:${port} failed: no answer in 300 ms`);
  } finally {
    silent.close();
  }
});

describe('amphora-ctl against the real agent', () => {
  test('push applies, traffic flows, a second push is unchanged; status and info show it', async () => {
    const f = docFile('gen1', doc(1));
    const r = await ctl(['push', f, '--agent', url, ...certsArgs(pki)]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(new RegExp(`${url}\\s+applied\\s+applied generation 1`));
    expect(r.out).toContain('1 agent(s): 1 applied; all serving generation 1');
    const bodies = new Set<string>();
    for (let i = 0; i < 6; i++) bodies.add((await get(`${NET}.2`, vipPort)).body.trim());
    expect([...bodies].sort()).toEqual(['alpha', 'beta']);
    const again = await ctl(['push', f, '--agent', url, ...certsArgs(pki), '--json']);
    expect(again.code).toBe(0);
    const j = JSON.parse(again.out);
    expect(j).toMatchObject({ valid: true, generation: 1, all_serving: true, outcomes: [{ agent: url, status: 'unchanged', serving: true, config_hash: expect.stringMatching(/^[0-9a-f]{64}$/) }] });
    const info = await ctl(['info', '--agent', url, ...certsArgs(pki), '--doc', f]);
    expect(info.code).toBe(0);
    expect(info.out).toMatch(new RegExp(`applied\\s+generation 1, config_hash ${j.outcomes[0].config_hash}`));
    expect(info.out).toContain(`can serve ${f}`);
  });

  test('stale and conflicting generations, each with what the agent has', async () => {
    const r2 = await ctl(['push', docFile('gen2', doc(2, [1, 2])), '--agent', url, ...certsArgs(pki)]);
    expect(r2.code).toBe(0);
    const back = await ctl(['push', docFile('gen1b', doc(1)), '--agent', url, ...certsArgs(pki)]);
    expect(back.code).toBe(1);
    expect(back.out).toMatch(/stale\s+GENERATION_STALE: generation 1 is lower than the applied generation 2/);
    expect(back.out).toContain('the agent has generation 2 applied');
    const conflict = await ctl(['push', docFile('gen2b', doc(2, [2, 1])), '--agent', url, ...certsArgs(pki)]);
    expect(conflict.code).toBe(1);
    expect(conflict.out).toMatch(/conflict\s+GENERATION_CONFLICT/);
  });

  test('haproxy refusing the config: push and validate --agent show its words; nothing changed', async () => {
    const d = loopbackExample('terminated-https-l7', 3, `${NET}.2`, [await freePort(`${NET}.2`), await freePort(`${NET}.2`)], backends);
    // SSLv3 is a valid tls_versions value, but this OpenSSL has none: only haproxy -c can tell
    d.loadbalancer.listeners[0].tls_versions = ['SSLv3'];
    const f = docFile('sslv3', d);
    const v = await ctl(['validate', f, '--agent', url, ...certsArgs(pki)]);
    expect(v.code).toBe(1);
    expect(v.out).toContain(`${f}: valid (generation 3`);
    expect(v.out).toMatch(/422 ENGINE_REFUSED[\s\S]*\| .*all SSL\/TLS versions are disabled/);
    const p = await ctl(['push', f, '--agent', url, ...certsArgs(pki), '--json']);
    expect(p.code).toBe(1);
    expect(JSON.parse(p.out).outcomes[0]).toMatchObject({ status: 'engine_refused', serving: false, http_status: 422, engine_output: expect.stringMatching(/all SSL\/TLS versions are disabled/) });
    const st = await ctl(['status', '--agent', url, ...certsArgs(pki)]);
    expect(st.code).toBe(0);
    expect(st.out).toMatch(/\s2\s+[0-9a-f]{12}\s+3 ENGINE_REFUSED\s/);
    expect((await get(`${NET}.2`, vipPort)).status).toBe(200);
  });

  test('an unreachable agent next to a serving one exits 3; status says which', async () => {
    const f = docFile('gen2c', doc(2, [1, 2]));
    const agents = path.join(work, 'agents.txt');
    fs.writeFileSync(agents, `# two agents\n${url}\n${deadUrl}\n`);
    const r = await ctl(['push', f, '--agents', agents, ...certsArgs(pki)]);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(new RegExp(`${url}\\s+unchanged`));
    expect(r.out).toMatch(new RegExp(`${deadUrl}\\s+unreachable\\s+PUT /v1/loadbalancer to ${deadUrl} failed: connect ECONNREFUSED`));
    expect(r.out).toContain('1 NOT serving generation 2');
    const st = await ctl(['status', '--agents', agents, ...certsArgs(pki), '--json']);
    expect(st.code).toBe(3);
    expect(JSON.parse(st.out)).toEqual([
      expect.objectContaining({ agent: url, details: expect.objectContaining({ applied_generation: 2 }) }),
      expect.objectContaining({ agent: deadUrl, error: expect.stringContaining('ECONNREFUSED') }),
    ]);
  });

  test('--doc: a document naming another VM cannot be served here, with the path', async () => {
    const d = doc(5);
    d.amphora = { id: loadExample('terminated-https-l7').amphora.id, topology: 'SINGLE', role: 'STANDALONE' };
    const f = docFile('other-vm', d);
    const r = await ctl(['status', '--agent', url, ...certsArgs(pki), '--doc', f]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/CAN_SERVE\n.*\sNO\n/);
    expect(r.out).toContain(`    amphora.id: names amphora ${d.amphora.id}, but this VM is ${AMP}`);
  });

  test('the built bin/amphora-ctl: push --json through a real process and exit code', async () => {
    const child = spawn(path.join(ROOT, 'bin/amphora-ctl'), ['push', docFile('gen2d', doc(2, [1, 2])), '--agent', url, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AMPHORA_CTL_CERTS_DIR: pki.dir },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ all_serving: true, outcomes: [{ status: 'unchanged' }] });
  });
});
