import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadExample } from '../../test/lib/examples';
import { parseAgentUrl } from '../agent-client';
import { agentUrls } from './common';
import { formatOutcome, formatPushSummary } from './format';
import { runCtl } from './program';
import { parseBind } from './watch';

function io() {
  const o = { out: '', err: '' };
  return { o, io: { stdout: { write: (s: string) => (o.out += s) }, stderr: { write: (s: string) => (o.err += s) }, stopped: Promise.resolve(), env: {} } };
}

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctl-cli-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('agent URLs', () => {
  test.each([
    ['https://192.0.2.1:9443', { host: '192.0.2.1', port: 9443 }],
    ['https://192.0.2.1', { host: '192.0.2.1', port: 9443 }],
    ['192.0.2.1:1234', { host: '192.0.2.1', port: 1234 }],
    ['https://[2001:db8::1]:9443/', { host: '2001:db8::1', port: 9443 }],
    ['https://amp-1.example:8443', { host: 'amp-1.example', port: 8443 }],
  ])('%s', (url, want) => expect(parseAgentUrl(url)).toEqual(want));
  test.each(['http://192.0.2.1', 'https://192.0.2.1/v1', 'https://u:p@192.0.2.1', 'https://[nope', 'https://192.0.2.1?x=1'])('%s is refused', (url) =>
    expect(() => parseAgentUrl(url)).toThrow(/https:\/\/HOST|not a URL/));
  test('--agents FILE: one a line, comments and blanks skipped, a bad line named by number', () => {
    const f = path.join(dir, 'agents');
    fs.writeFileSync(f, '# lab\nhttps://192.0.2.1:9443\n\n  192.0.2.2  # second\n');
    expect(agentUrls({ agent: ['https://192.0.2.9'], agents: f })).toEqual(['https://192.0.2.9', 'https://192.0.2.1:9443', '192.0.2.2']);
    fs.writeFileSync(f, 'https://192.0.2.1\nftp://x\n');
    expect(() => agentUrls({ agents: f })).toThrow(`${f}:2: agent "ftp://x" must be https://HOST[:PORT] with no path`);
    expect(() => agentUrls({})).toThrow(/no agent given/);
  });
  test('--bind', () => {
    expect(parseBind('[::1]:5555')).toEqual({ host: '::1', port: 5555 });
    expect(() => parseBind('0.0.0.0:70000')).toThrow(/not IP:PORT/);
  });
});

describe('runCtl', () => {
  test.each(['push', 'validate', 'info', 'status', 'watch', 'certs', 'certs init', 'certs agent', 'certs client', 'plan-upgrade', 'migrate'])('%s --help exits 0', async (cmd) => {
    const t = io();
    expect(await runCtl([...cmd.split(' '), '--help'], t.io)).toBe(0);
    expect(t.o.out).toMatch(new RegExp(`^Usage: amphora-ctl ${cmd}`));
    if (!cmd.startsWith('certs')) expect(t.o.out).toMatch(/Exit: 0|Runs until SIGINT/);
  });

  test('usage errors exit 2 with the reason', async () => {
    for (const argv of [[], ['nope'], ['push', 'doc.json'], ['push', 'doc.json', '--agent', 'https://127.70.0.1:1', '--concurrency', '0'], ['migrate', 'd', '--from', 'https://a', '--to', 'https://b', '--wait', '-1']]) {
      const t = io();
      expect(await runCtl(argv, t.io)).toBe(2);
      expect(t.o.err).not.toBe('');
    }
  });

  test('push of an invalid document sends nothing, prints every path, exits 1', async () => {
    const d = loadExample('http-basic');
    d.loadbalancer.listeners[0].protocol_port = 70000;
    d.loadbalancer.pools[0].lb_algorithm = 'RANDOM';
    const f = path.join(dir, 'bad.json');
    fs.writeFileSync(f, JSON.stringify(d));
    const t = io();
    // no identity is given: reaching for the agent would be a usage error (2), not 1
    expect(await runCtl(['push', f, '--agent', 'https://127.70.0.1:1'], t.io)).toBe(1);
    expect(t.o.out).toContain(`${f}: invalid, nothing sent (2 error(s))`);
    expect(t.o.out).toContain('loadbalancer.listeners[0].protocol_port: must be at most 65535');
    expect(t.o.out).toContain('loadbalancer.pools[0].lb_algorithm: must be one of "ROUND_ROBIN"');
    const j = io();
    expect(await runCtl(['validate', f, '--json'], j.io)).toBe(1);
    expect(JSON.parse(j.o.out)).toMatchObject({ valid: false, errors: expect.arrayContaining([expect.objectContaining({ path: 'loadbalancer.pools[0].lb_algorithm' })]) });
  });

  test('an unreadable document or identity is a usage error', async () => {
    let t = io();
    expect(await runCtl(['validate', path.join(dir, 'missing.json')], t.io)).toBe(2);
    expect(t.o.err).toMatch(/cannot read the document .*missing\.json/);
    fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify(loadExample('http-basic')));
    t = io();
    expect(await runCtl(['push', path.join(dir, 'ok.json'), '--agent', 'https://127.70.0.1:1', '--certs-dir', dir], t.io)).toBe(2);
    expect(t.o.err).toMatch(/cannot read --ca .*ca\.pem/);
  });
});

describe('push text', () => {
  test('an outcome with its paths, engine words, rollback; the summary', () => {
    const o = { agent: 'https://a', status: 'engine_refused' as const, serving: false, message: 'ENGINE_REFUSED: haproxy -c refused', engine_output: 'x\n[ALERT] y\n', ms: 5 };
    expect(formatOutcome(o, 10)).toEqual(['https://a   engine_refused  ENGINE_REFUSED: haproxy -c refused  (5 ms)', '    | x', '    | [ALERT] y']);
    expect(formatOutcome({ ...o, status: 'apply_failed', engine_output: undefined, rolled_back: true }, 9)[1]).toBe('    previous configuration restored and serving');
    expect(formatPushSummary([o, { ...o, status: 'applied', serving: true }], 7)).toBe('2 agent(s): 1 engine_refused, 1 applied; 1 NOT serving generation 7');
  });
});
