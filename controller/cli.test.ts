import { encodeHeartbeat } from '../schemas/heartbeat';
import { parseArgs, USAGE } from './cli';
import { HeartbeatReceiver } from './receiver';
import { renderTable } from './table';

describe('controller CLI arguments', () => {
  test('receive with key, IPv4 and IPv6 binds', () => {
    expect(parseArgs(['receive', '--bind', '127.0.0.1:5555', '--key', 'k'])).toEqual({ host: '127.0.0.1', port: 5555, key: 'k', json: false, timeoutSec: 60 });
    expect(parseArgs(['receive', '--bind', '[::1]:0', '--key-file', '/k', '--json', '--timeout', '5'], () => 'secret\n')).toEqual({ host: '::1', port: 0, key: 'secret', json: true, timeoutSec: 5 });
  });
  test('help', () => {
    expect(parseArgs(['--help'])).toBe('help');
    expect(USAGE).toContain('--bind');
  });
  test.each([
    [[], /command/],
    [['send'], /unknown command/],
    [['receive', '--key', 'k'], /--bind/],
    [['receive', '--bind', '127.0.0.1:1'], /--key/],
    [['receive', '--bind', 'localhost:1', '--key', 'k'], /not IP:PORT/],
    [['receive', '--bind', '127.0.0.1:99999', '--key', 'k'], /not IP:PORT/],
    [['receive', '--bind'], /needs a value/],
    [['receive', '--bind', '127.0.0.1:1', '--key', 'k', '--timeout', '0'], /timeout/],
    [['receive', '--what'], /unknown option/],
  ])('%j is refused', (argv, re) => expect(() => parseArgs(argv)).toThrow(re));
});

describe('table', () => {
  test('amphorae, listeners with totals, pools, members, drop counters', () => {
    let now = 0;
    const r = new HeartbeatReceiver({ key: 'k', now: () => now, timeoutSec: 60 });
    r.handle(
      encodeHeartbeat(
        {
          id: 'amp-1', seq: 1, ver: 3, generation: 4, config_hash: 'abc',
          listeners: { l1: { status: 'FULL', stats: { tx: 1, rx: 2, conns: 3, totconns: 4, ereq: 5 } } },
          pools: { 'p1:l1': { status: 'DOWN', members: { m1: 'DOWN', m2: 'MAINT' } }, 'p2:l1': { status: 'UP', members: {} } },
          members_omitted: ['p2:l1'],
        },
        'k',
      ),
      '127.30.0.5:999',
    );
    r.handle(Buffer.alloc(3), 'x');
    now = 61_000;
    const t = renderTable(r.amphorae(), r.accepted, r.drops);
    expect(t).toMatch(/amp-1\s+STALE\s+1\s+61\.0s\s+127\.30\.0\.5:999\s+4\s+abc/);
    expect(t).toMatch(/ l1\s+FULL\s+3\s+4\s+2\s+1\s+5/);
    expect(t).toMatch(/ p1:l1\s+DOWN\n\s+m1\s+DOWN\n\s+m2\s+MAINT/);
    expect(t).toContain('p2:l1');
    expect(t).toContain('members omitted by the agent');
    expect(t).toContain('accepted=1  dropped: truncated=1');
    expect(renderTable([], 0, r.drops)).toContain('no heartbeat heard yet');
  });
});
