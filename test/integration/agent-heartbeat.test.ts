/**
 * The heartbeat end to end through the real agent (`bin/amphora-agent
 * --config-file FILE`, heartbeat every second to two targets, one IPv4, one
 * IPv6), every datagram decoded by Octavia's own decoder: nothing before a
 * document; then id, ver, growing seq, listener OPEN, pool and members UP,
 * generation and hash as the API reports them, round-robin over the targets;
 * totconns deltas that add up to exactly the connections sent, across a
 * haproxy reload and an agent restart; a stopped member going DOWN; silence
 * after DELETE. Loopback block 127.40.0.0/16. (The shared suite,
 * test/lib/agent-heartbeat-conformance; nginx runs it in nginx-agent-heartbeat.)
 */
import { describeHeartbeatE2E } from '../lib/agent-heartbeat-conformance';

jest.setTimeout(60_000);

describeHeartbeatE2E('haproxy', '127.40.0');
