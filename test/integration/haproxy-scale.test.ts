/**
 * A 1,000-listener document (10 members a pool, 5 L7 policies a listener,
 * 20,000 checked servers) renders to a config real haproxy starts with under
 * this process's fd limit, on 127.10.7.1 (members black-holed on 127.10.8.x).
 */
import { execFileSync } from 'node:child_process';
import { genLarge } from '../lib/gen-large';
import { startHaproxy, statsCommand, type RunningHaproxy } from '../lib/haproxy-harness';
import { request } from '../lib/render-backends';

const VIP = '127.10.7.1';
let hx: RunningHaproxy | undefined;
const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());

afterAll(async () => {
  await hx?.stop();
});

test('1,000 listeners start within the fd limit and answer', async () => {
  const raw: any = genLarge(1000, 10, 5);
  raw.loadbalancer.vip_address = VIP;
  for (const p of raw.loadbalancer.pools) for (const m of p.members) m.address = m.address.replace(/^127\.0\.\d+\./, '127.10.8.');
  hx = await startHaproxy(raw, { fdLimit: Number.isFinite(fdLimit) ? fdLimit : 20000 });
  const info = await statsCommand(hx.sock, 'show info');
  const maxsock = Number(/^Maxsock: (\d+)$/m.exec(info)?.[1]);
  expect(maxsock).toBeGreaterThan(0);
  const port = raw.loadbalancer.listeners[999].protocol_port;
  // members are unreachable: haproxy itself answers
  expect((await request(VIP, port)).status).toBe(503);
}, 60000);
