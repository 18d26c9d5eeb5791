/**
 * Two ACTIVE_STANDBY amphorae on 127.10.9.0/24 (VRRP addresses .1 and .2, peer
 * port 1025): a SOURCE_IP persistence entry learned by one reaches the other's
 * stick table, so a failover keeps the client on its member.
 */
import { startHaproxy, freePort, statsCommand, waitFor, type RunningHaproxy } from '../lib/haproxy-harness';
import { request, startBackend, type Backend } from '../lib/render-backends';
import { rawDoc, rawListener, rawMember, rawPool } from '../lib/render-fixtures';

const CLIENT = '127.10.9.100';
let backends: Backend[] = [];
const amps: RunningHaproxy[] = [];
let port = 0;

function doc(self: { id: string; addr: string }, peer: { id: string; addr: string }, vip: string, role: string) {
  const members = backends.map((b) => rawMember(b.id, b.address, b.port));
  return {
    ...rawDoc([rawListener('l1', port, 'p1')], [rawPool('p1', members, { session_persistence: { type: 'SOURCE_IP', persistence_timeout: 120 } })], { loadbalancer_id: 'lb-peers', vip_address: vip }),
    amphora: { id: self.id, topology: 'ACTIVE_STANDBY', role, vrrp_address: self.addr, vrrp_peers: [{ id: peer.id, address: peer.addr }] },
  };
}

beforeAll(async () => {
  backends = await Promise.all([0, 1].map((i) => startBackend(`m${i}`, `127.10.9.${20 + i}`)));
  port = await freePort('127.10.9.10');
  const a = { id: 'amp-a', addr: '127.10.9.1' };
  const b = { id: 'amp-b', addr: '127.10.9.2' };
  amps.push(await startHaproxy(doc(a, b, '127.10.9.10', 'MASTER')));
  amps.push(await startHaproxy(doc(b, a, '127.10.9.11', 'BACKUP')));
}, 30000);

afterAll(async () => {
  for (const h of amps) await h.stop();
  await Promise.all(backends.map((b) => b.close()));
});

test('a stick-table entry made on one amphora is replicated to its peer', async () => {
  const first = await request('127.10.9.10', port, { localAddress: CLIENT });
  const member = String(first.headers['x-member']);
  const table = await waitFor(async () => {
    const t = await statsCommand(amps[1].sock, 'show table p1:l1');
    return t.includes(`key=${CLIENT}`) ? t : null;
  }, 10000, 'the entry on the peer');
  expect(table).toMatch(new RegExp(`key=${CLIENT.replace(/\./g, '\\.')} .*server_id=${member === 'm0' ? 1 : 2}`));
  // the peer sends the client to the same member
  expect((await request('127.10.9.11', port, { localAddress: CLIENT })).headers['x-member']).toBe(member);
});
