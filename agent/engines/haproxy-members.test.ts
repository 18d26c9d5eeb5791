import { createMemberApplier } from './haproxy-members';
import type { ServePlan } from '../../renderers/types';

const HEADER = '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';
const spec = '192.0.2.2:80 weight 1 check inter 2s fall 3 rise 2';
const plan = (members: { id: string; weight: number }[]): ServePlan => ({
  reported: [], engine: [], lvs: [], otherBinds: [],
  pools: [{ key: 'p:l', poolId: 'p', listenerId: 'l', algorithm: 'ROUND_ROBIN', persistence: null, members: members.map((m) => ({ ...m, address: '192.0.2.2', port: 80, enabled: true, spec })) }],
});

/** A stats socket that records commands, refuses deletes while `busy`, and answers `show servers state` from `rows`. */
function fakeSocket() {
  const s = { sent: [] as string[], busy: true, rows: [] as string[] };
  const query = async (_sock: string, line: string) => {
    s.sent.push(line);
    if (line.startsWith('del server')) return s.busy ? 'Server still has connections attached to it, cannot remove it.\n' : 'Server deleted.\n';
    if (line.startsWith('show servers state')) return `${HEADER}\n${s.rows.join('\n')}\n`;
    return '\n';
  };
  return { s, query };
}
const row = (admin: number, weight: number) => `3 p:l 2 m2 192.0.2.2 2 ${admin} ${weight} 1 0 1 0 0 6 0 0 0 - 80 - 0 0 - - 0`;

test('a removed member with connections drains in maintenance, then is deleted when idle', async () => {
  const { s, query } = fakeSocket();
  const a = createMemberApplier({ query, statsSocket: '/s', drainMs: 60000, retryMs: 5 });
  s.rows = [row(1, 1)];
  await a.apply([{ kind: 'remove', backend: 'p:l', server: 'm2', spec }], plan([]));
  expect(s.sent.slice(0, 2)).toEqual(['set server p:l/m2 state maint', 'del server p:l/m2']);
  expect(a.draining()).toEqual(['p:l/m2']);
  s.busy = false;
  const deadline = Date.now() + 2000;
  while (a.draining().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(a.draining()).toEqual([]);
  a.forget();
});

test('a member added back while it drains is taken back as it is; changed, it needs a reload', async () => {
  const { s, query } = fakeSocket();
  const a = createMemberApplier({ query, statsSocket: '/s', drainMs: 60000, retryMs: 60000 });
  s.rows = [row(1, 1)];
  await a.apply([{ kind: 'remove', backend: 'p:l', server: 'm2', spec }], plan([]));
  s.sent.length = 0;
  s.rows = [row(0, 3)];
  await a.apply([{ kind: 'add', backend: 'p:l', server: 'm2', spec: spec.replace('weight 1', 'weight 3'), enabled: true, checked: true }], plan([{ id: 'm2', weight: 3 }]));
  expect(s.sent[0]).toBe('set server p:l/m2 weight 3; set server p:l/m2 state ready');
  expect(a.draining()).toEqual([]);
  s.rows = [row(1, 3)];
  await a.apply([{ kind: 'remove', backend: 'p:l', server: 'm2', spec }], plan([]));
  await expect(a.apply([{ kind: 'add', backend: 'p:l', server: 'm2', spec: '192.0.2.9:80 weight 1', enabled: true, checked: false }], plan([]))).rejects.toThrow(/comes back changed/);
  a.forget();
});

test('a member added back while a sweep deletes its drained server is added anew, not taken back (the two never interleave)', async () => {
  const { s, query } = fakeSocket();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let deleting = false;
  // the sweep's delete waits at the gate, then succeeds: the server is gone
  const gated = async (sock: string, line: string) => {
    if (line.startsWith('del server') && !s.busy) {
      deleting = true;
      s.sent.push(line);
      await gate;
      return 'Server deleted.\n';
    }
    return query(sock, line);
  };
  const a = createMemberApplier({ query: gated, statsSocket: '/s', drainMs: 60000, retryMs: 5 });
  s.rows = [row(1, 1)];
  await a.apply([{ kind: 'remove', backend: 'p:l', server: 'm2', spec }], plan([]));
  expect(a.draining()).toEqual(['p:l/m2']);
  s.busy = false;
  const deadline = Date.now() + 2000;
  while (!deleting && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(deleting).toBe(true);
  const adding = a.apply([{ kind: 'add', backend: 'p:l', server: 'm2', spec, enabled: true, checked: true }], plan([{ id: 'm2', weight: 1 }]));
  s.rows = [row(0, 1)];
  await new Promise((r) => setTimeout(r, 20));
  release();
  await adding;
  const after = s.sent.slice(s.sent.lastIndexOf('del server p:l/m2') + 1);
  expect(after[0]).toMatch(/^add server p:l\/m2 /);
  expect(a.draining()).toEqual([]);
  a.forget();
});

test('refused commands and a running state that differs are errors', async () => {
  const { s, query } = fakeSocket();
  const refusing = async (sock: string, line: string) => (line.startsWith('add server') ? "'cookie' option is not accepted for dynamic server\n" : query(sock, line));
  const a = createMemberApplier({ query: refusing, statsSocket: '/s', drainMs: 1 });
  await expect(a.apply([{ kind: 'add', backend: 'p:l', server: 'm2', spec, enabled: true, checked: true }], plan([{ id: 'm2', weight: 1 }]))).rejects.toThrow(/refused member changes.*cookie/);
  const b = createMemberApplier({ query, statsSocket: '/s', drainMs: 1 });
  s.rows = [row(0, 1)];
  await expect(b.apply([{ kind: 'weight', backend: 'p:l', server: 'm2', weight: 4 }], plan([{ id: 'm2', weight: 4 }]))).rejects.toThrow(/has weight 1, not 4/);
});
