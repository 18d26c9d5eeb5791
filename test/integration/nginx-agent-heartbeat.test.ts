/**
 * The heartbeat end to end on nginx (the shared suite of agent-heartbeat),
 * every datagram decoded by Octavia's own decoder: member states from the
 * agent's monitors, listener counters from nginx's access log (exact wire
 * bytes), across reloads and agent restarts. What nginx logs while no agent
 * listens is lost (renderers/nginx/README.md). 127.50.40.0/24.
 */
import { describeHeartbeatE2E } from '../lib/agent-heartbeat-conformance';

jest.setTimeout(60_000);

describeHeartbeatE2E('nginx', '127.50.40', { lostWhileAgentDown: true, wireBytes: true });
