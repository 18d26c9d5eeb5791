/**
 * A VIP the VM does not hold, on nginx (a BACKUP amphora's, until keepalived
 * moves it): nginx's `listen` has no transparent bind and `nginx -t` binds,
 * so the agent turns on net.ipv4/ipv6.ip_nonlocal_bind in its network
 * namespace at start (agent/engines/nginx-nonlocal.ts). In namespaces this
 * test makes (NetnsLab, named with its pid; 10.60.0.0/24 inside them only):
 * an agent there serves a document whose VIP is on no interface and starts
 * serving traffic once the address is added; an agent told to leave the
 * sysctls alone answers 422 saying why.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentProcess, makeCerts, tempDir, until } from '../lib/agent-harness';
import { httpBasicDoc } from '../lib/agent-docs';
import { ip, NetnsLab } from '../lib/netns-lab';
import { NET, pairDoc } from '../lib/vrrp-pair';

jest.setTimeout(120000);

const lab = new NetnsLab('angnl');
const work = tempDir('nginx-nonlocal-');
const agents: AgentProcess[] = [];
const sysctl = (node: string, key: string) => spawnSync('ip', ['netns', 'exec', lab.ns(node), 'sysctl', '-n', key], { encoding: 'utf8' }).stdout.trim();
/** One GET from inside `node`: the status code, or the error's code. */
const get = (node: string, url: string) =>
  spawnSync('ip', ['netns', 'exec', lab.ns(node), process.execPath, '-e', `require('http').get(${JSON.stringify(url)},{timeout:3000},(r)=>{let b='';r.on('data',(d)=>b+=d);r.on('end',()=>{console.log(r.statusCode+' '+b.trim());process.exit(0)})}).on('timeout',function(){console.log('timeout');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`], { encoding: 'utf8' }).stdout.trim();

async function startAgent(node: 'a' | 'b', nonlocalBind?: boolean): Promise<AgentProcess> {
  const dir = path.join(work, node);
  fs.mkdirSync(dir);
  const apiSocket = path.join(dir, 'api.sock');
  await lab.helper(node, ['forward', apiSocket, NET[node], String(NET.apiPort)]);
  const agent = new AgentProcess({ ip: NET[node], port: NET.apiPort, netns: lab.ns(node), apiSocket, certs: makeCerts(path.join(dir, 'certs'), NET[node]), engine: 'nginx', nonlocalBind }, dir);
  agents.push(agent);
  await agent.start();
  return agent;
}

beforeAll(() => {
  lab.setup([
    { name: 'a', iface: 'eth1', addrs: [`${NET.a}/24`] },
    { name: 'b', iface: 'eth1', addrs: [`${NET.b}/24`] },
  ]);
});

afterAll(async () => {
  for (const a of agents) await a.cleanup();
  await lab.destroy();
  fs.rmSync(work, { recursive: true, force: true });
});

test('the agent turns on non-local binds, serves a VIP on no interface, and traffic flows once the address is added', async () => {
  // a new namespace starts without them: what the agent changes
  expect([sysctl('a', 'net.ipv4.ip_nonlocal_bind'), sysctl('a', 'net.ipv6.ip_nonlocal_bind')]).toEqual(['0', '0']);
  await lab.helper('a', ['backends', `${NET.a}:${NET.backendPort}`, `${NET.a}:${NET.backendPort + 1}`]);
  const agent = await startAgent('a');
  expect([sysctl('a', 'net.ipv4.ip_nonlocal_bind'), sysctl('a', 'net.ipv6.ip_nonlocal_bind')]).toEqual(['1', '1']);
  expect(agent.lines.filter((l) => l.sysctl).map((l) => [l.level, l.sysctl])).toEqual([['info', 'net.ipv4.ip_nonlocal_bind'], ['info', 'net.ipv6.ip_nonlocal_bind']]);
  // the root namespace's are not touched
  expect(fs.readFileSync('/proc/sys/net/ipv4/ip_nonlocal_bind', 'utf8').trim()).toBe(spawnSync('sysctl', ['-n', 'net.ipv4.ip_nonlocal_bind'], { encoding: 'utf8' }).stdout.trim());

  expect(ip('-n', lab.ns('a'), 'addr', 'show')).not.toContain(NET.vip);
  const doc = httpBasicDoc(1, { host: NET.vip, port: 80 }, [{ host: NET.a, port: NET.backendPort }, { host: NET.a, port: NET.backendPort + 1 }]);
  const r = await agent.api('PUT', '/v1/loadbalancer', doc);
  expect([r.status, r.body.result]).toEqual([200, 'applied']);
  expect(get('a', `http://${NET.vip}/`)).not.toMatch(/^200 /);

  // what keepalived does when this amphora becomes MASTER
  ip('-n', lab.ns('a'), 'addr', 'add', `${NET.vip}/32`, 'dev', 'eth1');
  const answer = await until('the VIP to serve once it is added', () => {
    const g = get('a', `http://${NET.vip}/`);
    return g.startsWith('200 ') ? g : null;
  }, 15000);
  expect([`200 ${NET.a}:${NET.backendPort}`, `200 ${NET.a}:${NET.backendPort + 1}`]).toContain(answer);
});

test('an agent that may not turn them on refuses an ACTIVE_STANDBY document whose VIP it does not hold: 422 saying why', async () => {
  expect(sysctl('b', 'net.ipv4.ip_nonlocal_bind')).toBe('0');
  const agent = await startAgent('b', false);
  expect(agent.lines.find((l) => l.level === 'warn' && /ip_nonlocal_bind/.test(l.msg))).toBeDefined();
  const doc = pairDoc('b', 1);
  expect([doc.amphora.topology, doc.amphora.role]).toEqual(['ACTIVE_STANDBY', 'BACKUP']);
  // what nginx refuses of the example (renderers/nginx/golden/terminated-https-l7.refused.txt)
  for (const p of doc.loadbalancer.pools) p.ca_tls_container_data = null;
  const r = await agent.api('PUT', '/v1/loadbalancer', doc);
  expect(r.status).toBe(422);
  expect(r.body.code).toBe('ENGINE_REFUSED');
  const out: string = r.body.engine_output;
  expect(out).toMatch(new RegExp(`bind\\(\\) to ${NET.vip.replace(/\./g, '\\.')}:\\d+ failed \\(99: Cannot assign requested address\\)`));
  expect(out.split('\n').at(-1)).toBe("net.ipv4.ip_nonlocal_bind is 0 (nginx_nonlocal_bind = False: the agent leaves it); net.ipv6.ip_nonlocal_bind is 0 (nginx_nonlocal_bind = False: the agent leaves it): nginx cannot bind a VIP this VM does not hold (a BACKUP amphora's)");
  expect(sysctl('b', 'net.ipv4.ip_nonlocal_bind')).toBe('0');
});
