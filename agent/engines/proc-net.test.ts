import { establishedByLocal, parseProcAddress, parseProcNet, unbound, type ProcNetReader } from './proc-net';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0132A8C0:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
   1: 0132A8C0:0050 0A32A8C0:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1
   2: 0132A8C0:0050 0B32A8C0:D432 01 00000000:00000000 00:00000000 00000000     0        0 3 1
   3: 0A32A8C0:D431 0132A8C0:0050 01 00000000:00000000 00:00000000 00000000     0        0 4 1
`;
const TCP6 = `  sl  local_address                         remote_address                        st
   0: 00000000000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A
   1: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A
   2: B80D0120000000000000000020000000:01BB 00000000000000000000000000000000:0000 0A
`;
const UDP = `  sl  local_address rem_address   st
   0: 0132A8C0:0035 00000000:0000 07
   1: 0A32A8C0:E000 0132A8C0:0035 01
`;
const read: ProcNetReader = (t) => ({ tcp: TCP, tcp6: TCP6, udp: UDP, udp6: '' })[t];

test.each([
  ['0100007F:0050', { ip: '127.0.0.1', port: 80 }],
  ['0132A8C0:1F90', { ip: '192.168.50.1', port: 8080 }],
  ['00000000000000000000000001000000:01BB', { ip: '::1', port: 443 }],
  ['0000000000000000FFFF00000100007F:1F90', { ip: '127.0.0.1', port: 8080 }],
  ['B80D0120000000000000000020000000:01BB', { ip: '2001:db8::20', port: 443 }],
  ['00000000000000000000000000000000:0000', { ip: '::', port: 0 }],
])('parseProcAddress(%p)', (s, want) => expect(parseProcAddress(s)).toEqual(want));

test('parseProcNet reads every entry with its state', () => {
  expect(parseProcNet(TCP).map((e) => e.state)).toEqual(['0A', '01', '01', '01']);
});

test('unbound: TCP needs a listening socket, UDP an unconnected one', () => {
  const want = [
    { ip: '192.168.50.1', port: 80, udp: false },
    { ip: '192.168.50.1', port: 81, udp: false },
    { ip: '::1', port: 443, udp: false },
    { ip: '2001:db8::20', port: 443, udp: false },
    { ip: '192.168.50.1', port: 53, udp: true },
    { ip: '192.168.50.10', port: 57344, udp: true },
  ];
  expect(unbound(want, read)).toEqual([{ ip: '192.168.50.1', port: 81, udp: false }, { ip: '192.168.50.10', port: 57344, udp: true }]);
});

test('unbound reads the IPv6 tables only when the IPv4 ones lack an endpoint (an IPv4 one bound as v4-mapped included), and each table once', () => {
  const reads: string[] = [];
  const counting: ProcNetReader = (t) => (reads.push(t), read(t));
  expect(unbound([{ ip: '192.168.50.1', port: 80, udp: false }, { ip: '192.168.50.1', port: 53, udp: true }], counting)).toEqual([]);
  expect(reads).toEqual(['tcp', 'udp']);
  reads.length = 0;
  // 127.0.0.1:8080 listens only as ::ffff:127.0.0.1 in tcp6
  expect(unbound([{ ip: '127.0.0.1', port: 8080, udp: false }, { ip: '2001:db8::20', port: 443, udp: false }], counting)).toEqual([]);
  expect(reads).toEqual(['tcp', 'udp', 'tcp6', 'udp6']);
});

test('establishedByLocal counts the clients of each local endpoint, not our own outgoing connections', () => {
  const m = establishedByLocal(read);
  expect(m.get('192.168.50.1|80')).toBe(2);
  expect(m.get('192.168.50.10|54321')).toBe(1);
  expect(m.size).toBe(2);
});
