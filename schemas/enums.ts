/** Every enum of the contract (octavia-lib provider format), as tuples usable by zod and by capability lists. */
export const LISTENER_PROTOCOLS = ['HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'TCP', 'UDP', 'SCTP', 'PROMETHEUS'] as const;
export const POOL_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'UDP', 'SCTP', 'PROXY', 'PROXYV2'] as const;
export const LB_ALGORITHMS = ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'] as const;
export const PERSISTENCE_TYPES = ['SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE'] as const;
export const MONITOR_TYPES = ['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT', 'SCTP'] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'OPTIONS', 'PATCH', 'CONNECT'] as const;
export const L7_ACTIONS = ['REJECT', 'REDIRECT_TO_POOL', 'REDIRECT_TO_URL', 'REDIRECT_PREFIX'] as const;
export const L7_RULE_TYPES = [
  'HOST_NAME', 'PATH', 'FILE_TYPE', 'HEADER', 'COOKIE', 'SSL_CONN_HAS_CERT', 'SSL_VERIFY_RESULT', 'SSL_DN_FIELD',
] as const;
export const L7_COMPARE_TYPES = ['REGEX', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'EQUAL_TO'] as const;
export const REDIRECT_HTTP_CODES = [301, 302, 303, 307, 308] as const;
export const CLIENT_AUTH_MODES = ['NONE', 'OPTIONAL', 'MANDATORY'] as const;
export const TLS_VERSIONS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export const ALPN_PROTOCOLS = ['h2', 'http/1.1', 'http/1.0'] as const;
export const INSERT_HEADERS = [
  'X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-SSL-Client-Verify', 'X-SSL-Client-Has-Cert',
  'X-SSL-Client-DN', 'X-SSL-Client-CN', 'X-SSL-Issuer', 'X-SSL-Client-SHA1', 'X-SSL-Client-Not-Before',
  'X-SSL-Client-Not-After',
] as const;
export const TOPOLOGIES = ['SINGLE', 'ACTIVE_STANDBY'] as const;
export const AMPHORA_ROLES = ['MASTER', 'BACKUP', 'STANDALONE'] as const;

export type ListenerProtocol = (typeof LISTENER_PROTOCOLS)[number];
export type PoolProtocol = (typeof POOL_PROTOCOLS)[number];
export type L7Action = (typeof L7_ACTIONS)[number];

/** Which pool protocols may serve a listener protocol (Octavia's VALID_LISTENER_POOL_PROTOCOL_MAP). */
export const POOL_PROTOCOLS_FOR_LISTENER: Record<ListenerProtocol, readonly PoolProtocol[]> = {
  TCP: ['HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  HTTP: ['HTTP', 'PROXY', 'PROXYV2'],
  HTTPS: ['HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  TERMINATED_HTTPS: ['HTTP', 'PROXY', 'PROXYV2'],
  UDP: ['UDP'],
  SCTP: ['SCTP'],
  PROMETHEUS: [],
};

/** Listener protocols sharing one port space (a TCP port, a UDP port, an SCTP port). */
export function portFamily(p: ListenerProtocol): 'tcp' | 'udp' | 'sctp' {
  return p === 'UDP' ? 'udp' : p === 'SCTP' ? 'sctp' : 'tcp';
}
