/**
 * Octavia's own decoder (`status_message.unwrap_envelope` from Debian's
 * python3-octavia) must accept every datagram the agent builds, and read back
 * exactly the JSON that was sent. It needs no oslo.config setup: the codec
 * module only imports oslo_log, oslo_serialization and oslo_utils.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHeartbeat } from '../../agent/heartbeat';
import { DatagramSocket } from '../../agent/heartbeat/sender';
import { nullLogger } from '../../agent/log';
import { decodeHeartbeat } from '../../schemas/heartbeat';
import { heartbeatPlan } from '../lib/heartbeat-doc';
import { showInfo, synthLoadBalancer } from '../lib/heartbeat-show-stat';

const PY = `
import base64, json, sys
from octavia.amphorae.backends.health_daemon import status_message
key = sys.argv[1]
for line in sys.stdin:
    try:
        print(json.dumps({"ok": status_message.unwrap_envelope(base64.b64decode(line), key)}))
    except Exception as e:
        print(json.dumps({"error": type(e).__name__}))
`;

function octaviaUnwrap(datagrams: Buffer[], key: string): ({ ok: unknown } | { error: string })[] {
  const out = execFileSync('/usr/bin/python3', ['-c', PY, key], { input: datagrams.map((d) => d.toString('base64')).join('\n') + '\n', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

describe("Octavia's decoder reads the agent's heartbeats", () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-octavia-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Datagrams the real heartbeat loop builds (sockets faked to capture them). */
  async function agentDatagrams(key: string, listeners: number, members: number, maxDatagramBytes?: number): Promise<Buffer[]> {
    const lb = synthLoadBalancer(listeners, members);
    const sent: Buffer[] = [];
    const socket: DatagramSocket = { send: (b, _p, _h, cb) => (sent.push(b), cb(null)), close: () => undefined, on: () => undefined };
    const hb = createHeartbeat({
      amphoraId: 'b3f0a5c2-0d5e-4c57-9d1e-8a4f5e7c6d21',
      heartbeatKey: key,
      intervalSec: 10,
      targets: [{ host: '127.30.0.1', port: 5555 }],
      getApplied: () => ({ generation: 7, configHash: 'sha256:abc', serves: heartbeatPlan(lb.listenerIds.map((id) => ({ id })), Object.fromEntries(lb.poolIds.map((id, i) => [`${id}:${lb.listenerIds[i]}`, lb.memberIds[i]]))) }),
      readStats: async () => ({ showStat: lb.showStat, showInfo: showInfo(100, 5) }),
      countersFile: path.join(dir, `c-${listeners}-${members}-${maxDatagramBytes}.json`),
      logger: nullLogger(),
      socketFactory: () => socket,
      maxDatagramBytes,
    });
    for (let i = 0; i < 2; i++) await hb.beat();
    await hb.stop();
    return sent;
  }

  test.each([
    ['small', 1, 3, undefined],
    ['100 members', 5, 100, undefined],
    ['1000 members', 20, 1000, undefined],
    ['trimmed to fit', 10, 400, 4000],
  ])('%s: accepted, same JSON as sent', async (_name, listeners, members, max) => {
    const key = 'octavia-interop-key';
    const dgs = await agentDatagrams(key, listeners, members, max);
    expect(dgs).toHaveLength(2);
    const theirs = octaviaUnwrap(dgs, key);
    const ours = dgs.map((d) => {
      const r = decodeHeartbeat(d, key);
      if (!r.ok) throw new Error(r.detail);
      return r.message;
    });
    expect(theirs).toEqual(ours.map((m) => ({ ok: m })));
    expect(ours[1].seq).toBe(ours[0].seq + 1);
    expect(Object.keys(ours[0].listeners)).toHaveLength(listeners);
    if (max) expect(ours[0].members_omitted?.length).toBeGreaterThan(0);
  });

  test('a non-ASCII key is encoded the same way (UTF-8)', async () => {
    const key = 'clé-ключ-鍵';
    const dgs = await agentDatagrams(key, 1, 2);
    expect(octaviaUnwrap(dgs, key).every((r) => 'ok' in r)).toBe(true);
  });

  test('a wrong key is refused by Octavia too', async () => {
    const dgs = await agentDatagrams('right-key', 1, 2);
    expect(octaviaUnwrap(dgs, 'wrong-key')).toEqual([{ error: 'InvalidHMACException' }, { error: 'InvalidHMACException' }]);
  });
});
