/** Records the controller's unit tests start from: an agent's /v1/details as a real haproxy agent answers, heartbeats. */
import type { AgentDetails } from '../../controller/agent-answers';
import type { HeartbeatMessage } from '../../schemas/heartbeat';

/** /v1/details of an idle haproxy 2.6 agent (the shape bin/amphora-agent sends; see ctl-client.test.ts). */
export function details(over: Partial<AgentDetails> = {}): AgentDetails {
  return {
    agent: 'amphora-agent',
    agent_version: '0.1.0',
    api_versions: ['v1'],
    schema_version: '1.0',
    schema_versions: ['1.x'],
    engine: { name: 'haproxy', version: '2.6.12', full_version: 'HAProxy version 2.6.12' },
    openssl_version: 'OpenSSL 3.0.11',
    hostname: 'amp',
    amphora_id: 'amp-old',
    capabilities: {
      engine: 'haproxy',
      version: '2.6.12',
      protocols: ['HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'TCP', 'UDP', 'SCTP', 'PROMETHEUS'],
      algorithms: ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'],
      monitorTypes: ['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT', 'SCTP'],
      persistenceTypes: ['SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE'],
      l7RuleTypes: ['HOST_NAME', 'PATH', 'FILE_TYPE', 'HEADER', 'COOKIE', 'SSL_CONN_HAS_CERT', 'SSL_VERIFY_RESULT', 'SSL_DN_FIELD'],
      memberChanges: 'runtime',
    },
    applied_generation: null,
    config_hash: null,
    last_refused: null,
    listeners: {},
    engine_process: { running: false },
    heartbeat: { targets: ['192.0.2.5:5555'], last_send_error: null },
    ...over,
  };
}

/** A heartbeat of one listener and one pool with two members. */
export function beat(id: string, hash: string, over: Partial<HeartbeatMessage> = {}): HeartbeatMessage {
  return {
    id, seq: 1, ver: 3, generation: 4, config_hash: hash,
    listeners: { l1: { status: 'OPEN', stats: { tx: 0, rx: 0, conns: 0, totconns: 0, ereq: 0 } } },
    pools: { 'p1:l1': { status: 'UP', members: { m1: 'UP', m2: 'DOWN' } } },
    ...over,
  };
}
