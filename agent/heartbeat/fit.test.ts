import { decodeHeartbeat, HeartbeatMessage } from '../../schemas/heartbeat';
import { fakeUuid } from '../../test/lib/heartbeat-show-stat';
import { fitDatagram } from './fit';

const KEY = 'k';
function bigMessage(pools: number, membersPerPool: number, listeners = pools): HeartbeatMessage {
  const m: HeartbeatMessage = { id: 'amp', seq: 1, ver: 3, listeners: {}, pools: {} };
  for (let l = 0; l < listeners; l++) m.listeners[fakeUuid(`l${l}`)] = { status: 'OPEN', stats: { tx: l, rx: l, conns: 0, totconns: l, ereq: 0 } };
  for (let p = 0; p < pools; p++) {
    const members: Record<string, 'UP'> = {};
    for (let i = 0; i < membersPerPool + p; i++) members[fakeUuid(`m${p}-${i}`)] = 'UP';
    m.pools[`${fakeUuid(`p${p}`)}:${fakeUuid(`l${p}`)}`] = { status: 'UP', members };
  }
  return m;
}

describe('fitting a heartbeat into one datagram', () => {
  test('a small message is sent whole', async () => {
    const m = bigMessage(2, 3);
    const r = await fitDatagram(m, KEY);
    expect(r.ok && r.omitted).toEqual([]);
    expect(r.ok && decodeHeartbeat(r.datagram, KEY)).toEqual({ ok: true, message: m, legacyDigest: false });
  });

  test('too large: member detail of the largest pools goes, listeners and pool statuses stay', async () => {
    const m = bigMessage(40, 100); // about 5000 members
    const r = await fitDatagram(m, KEY);
    if (!r.ok) throw new Error(r.message);
    expect(r.datagram.length).toBeLessThanOrEqual(65507);
    expect(r.omitted.length).toBeGreaterThan(0);
    const d = decodeHeartbeat(r.datagram, KEY);
    if (!d.ok) throw new Error(d.detail);
    expect(Object.keys(d.message.listeners)).toEqual(Object.keys(m.listeners));
    expect(Object.keys(d.message.pools)).toEqual(Object.keys(m.pools));
    expect(d.message.members_omitted).toEqual(r.omitted);
    // the largest pools (the last ones here) were trimmed first
    const sizes = Object.entries(m.pools).map(([k, p]) => [k, Object.keys(p.members).length] as const);
    const smallestOmitted = Math.min(...sizes.filter(([k]) => r.omitted.includes(k)).map(([, n]) => n));
    const largestKept = Math.max(...sizes.filter(([k]) => !r.omitted.includes(k)).map(([, n]) => n));
    expect(smallestOmitted).toBeGreaterThanOrEqual(largestKept);
    for (const k of r.omitted) expect(d.message.pools[k]).toEqual({ status: 'UP', members: {} });
  });

  test('a tight limit trims more; an impossible one refuses to send', async () => {
    const m = bigMessage(10, 20);
    const r = await fitDatagram(m, KEY, 2000);
    expect(r.ok && r.datagram.length).toBeLessThanOrEqual(2000);
    expect(await fitDatagram(m, KEY, 300)).toMatchObject({ ok: false });
  });
});
