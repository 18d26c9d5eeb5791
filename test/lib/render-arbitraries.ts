/**
 * fast-check arbitraries of valid documents for the renderer property tests:
 * every listener protocol, pool option, monitor type and L7 rule, with
 * hostile-but-valid strings where the contract allows them (L7 values).
 */
import fc from 'fast-check';
import { POOL_PROTOCOLS_FOR_LISTENER, validateDocument, type ListenerProtocol } from '../../schemas';
import { exampleTls } from './render-fixtures';

type Raw = Record<string, any>;

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const SPECIAL = ' "\'#{};\\$%&!()[]*+,-./:<=>?@^_`|~'.split('');
/** A printable-ASCII string, heavy on characters that are syntax somewhere. */
export const hostileValue = fc.string({ unit: fc.constantFrom(...ALNUM.slice(0, 6), ...SPECIAL), minLength: 1, maxLength: 24 });
/** A regular expression matching a hostile literal (each non-alphanumeric escaped: valid in JS and PCRE). */
export const hostileRegex = fc
  .tuple(fc.boolean(), hostileValue, fc.boolean())
  .map(([a, s, z]) => `${a ? '^' : ''}${s.replace(/[^A-Za-z0-9]/g, (c) => `\\${c}`)}${z ? '$' : ''}`);
const COOKIE_CHARS = "abcXYZ019!#$%&'()*+-./:<=>?@[]^_`{|}~".split('');
const cookieValue = fc.string({ unit: fc.constantFrom(...COOKIE_CHARS), minLength: 1, maxLength: 16 });
const token = fc.string({ unit: fc.constantFrom(...'abcXYZ019!&*+.^_~-'.split('')), minLength: 1, maxLength: 12 });

const COMPARES = ['REGEX', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'EQUAL_TO'];

function ruleArb(tls: boolean): fc.Arbitrary<Raw> {
  const valueFor = (cmp: string, plain: fc.Arbitrary<string>) => (cmp === 'REGEX' ? hostileRegex : plain);
  const generic = (type: string, key: fc.Arbitrary<string | null>, plain: fc.Arbitrary<string>, compares = COMPARES) =>
    fc.constantFrom(...compares).chain((cmp) => fc.record({ type: fc.constant(type), compare_type: fc.constant(cmp), key, value: valueFor(cmp, plain) }));
  const kinds = [
    generic('HOST_NAME', fc.constant(null), hostileValue),
    generic('PATH', fc.constant(null), hostileValue),
    generic('FILE_TYPE', fc.constant(null), hostileValue, ['REGEX', 'EQUAL_TO']),
    generic('HEADER', token, hostileValue),
    generic('COOKIE', token, cookieValue),
  ];
  if (tls) {
    kinds.push(
      fc.record({ type: fc.constant('SSL_CONN_HAS_CERT'), compare_type: fc.constant('EQUAL_TO'), key: fc.constant(null), value: fc.constant('True') }),
      fc.record({ type: fc.constant('SSL_VERIFY_RESULT'), compare_type: fc.constant('EQUAL_TO'), key: fc.constant(null), value: fc.integer({ min: 0, max: 99 }).map(String) }),
      generic('SSL_DN_FIELD', fc.constantFrom('CN', 'OU', 'O'), hostileValue),
    );
  }
  return fc.record({ rule: fc.oneof(...kinds), invert: fc.boolean(), admin_state_up: fc.constantFrom(true, true, false) });
}

const hmArb = (poolProtocol: string) => {
  const lvs = poolProtocol === 'UDP' || poolProtocol === 'SCTP';
  const types = lvs ? ['UDP-CONNECT', 'SCTP', 'TCP', 'HTTP'] : ['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO'];
  return fc.constantFrom(...types).chain((type) =>
    fc.record({
      type: fc.constant(type),
      delay: fc.integer({ min: 2, max: 30 }),
      max_retries: fc.integer({ min: 1, max: 10 }),
      max_retries_down: fc.integer({ min: 1, max: 10 }),
      admin_state_up: fc.boolean(),
      http: type === 'HTTP' || type === 'HTTPS'
        ? fc.record({
            http_method: fc.constantFrom('GET', 'HEAD', 'POST'),
            url_path: fc.constantFrom('/', '/health', '/a/b?x=1&y=(2)', '/st!*+,=:@%20'),
            expected_codes: fc.constantFrom('200', '200,202', '200-204', '301 , 302'),
            v11: fc.boolean(),
          })
        : fc.constant(null),
    }),
  );
};

function listenerArb(): fc.Arbitrary<Raw> {
  return fc.constantFrom<ListenerProtocol>('HTTP', 'TCP', 'HTTPS', 'TERMINATED_HTTPS', 'PROMETHEUS', 'UDP').chain((protocol) => {
    const poolProtocols = POOL_PROTOCOLS_FOR_LISTENER[protocol];
    const http = protocol === 'HTTP' || protocol === 'TERMINATED_HTTPS';
    return fc.record({
      protocol: fc.constant(protocol),
      admin_state_up: fc.constantFrom(true, true, true, false),
      connection_limit: fc.constantFrom(-1, 1, 100, 50000, 1000000),
      timeouts: fc.tuple(fc.integer({ min: 0, max: 200000 }), fc.integer({ min: 1, max: 60000 }), fc.integer({ min: 0, max: 3600000 }), fc.integer({ min: 0, max: 5000 })),
      allowed_cidrs: fc.option(fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 8, max: 32 })).map(([a, p]) => `${a}.0.0.0/${p}`), { minLength: 1, maxLength: 5 })),
      headers: http ? fc.subarray(['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto', ...(protocol === 'TERMINATED_HTTPS' ? ['X-SSL-Client-Verify', 'X-SSL-Client-DN', 'X-SSL-Client-SHA1'] : [])]) : fc.constant([]),
      clientAuth: protocol === 'TERMINATED_HTTPS' ? fc.constantFrom('NONE', 'OPTIONAL', 'MANDATORY') : fc.constant('NONE'),
      tlsVersions: fc.option(fc.subarray(['TLSv1.2', 'TLSv1.3'], { minLength: 1 })),
      pool: poolProtocols.length
        ? fc.option(
            fc.constantFrom(...poolProtocols).chain((pp) =>
              fc.record({
                protocol: fc.constant(pp),
                lb_algorithm: fc.constantFrom('ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'),
                admin_state_up: fc.constantFrom(true, true, false),
                persistence: fc.option(fc.constantFrom(...(http && !['TCP', 'HTTPS'].includes(pp) ? ['SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE'] : ['SOURCE_IP']))),
                hm: fc.option(hmArb(pp)),
                tls: pp === 'UDP' || pp === 'SCTP' ? fc.constant(false) : fc.boolean(),
                members: fc.array(
                  fc.record({ weight: fc.integer({ min: 0, max: 256 }), backup: fc.boolean(), admin_state_up: fc.constantFrom(true, true, false), monitor: fc.boolean() }),
                  { maxLength: 4 },
                ),
              }),
            ),
            { freq: 5 },
          )
        : fc.constant(null),
      policies: http
        ? fc.array(fc.record({ action: fc.constantFrom('REJECT', 'REDIRECT_TO_POOL', 'REDIRECT_TO_URL', 'REDIRECT_PREFIX'), admin_state_up: fc.constantFrom(true, true, false), code: fc.option(fc.constantFrom(301, 302, 303, 307, 308)), rules: fc.array(ruleArb(protocol === 'TERMINATED_HTTPS'), { maxLength: 3 }) }), { maxLength: 3 })
        : fc.constant([]),
    });
  });
}

/** Builds the raw document of generated listener specs (ids `l0`, `p0`, `m0-1`, ...). */
function assemble(specs: Raw[], ipv6Vip: boolean): Raw {
  const tls = exampleTls();
  const listeners: Raw[] = [];
  const pools: Raw[] = [];
  specs.forEach((s, i) => {
    const pool = s.pool;
    if (pool) {
      const hm = pool.hm;
      pools.push({
        pool_id: `p${i}`,
        protocol: pool.protocol,
        lb_algorithm: pool.lb_algorithm,
        admin_state_up: pool.admin_state_up,
        tls_enabled: pool.tls,
        session_persistence: pool.persistence ? { type: pool.persistence, cookie_name: pool.persistence === 'APP_COOKIE' ? 'SESSION' : null, persistence_timeout: 60 } : null,
        healthmonitor: hm
          ? {
              healthmonitor_id: `h${i}`, type: hm.type, delay: hm.delay, timeout: Math.max(1, hm.delay - 1), max_retries: hm.max_retries, max_retries_down: hm.max_retries_down, admin_state_up: hm.admin_state_up,
              ...(hm.http ? { http_method: hm.http.http_method, url_path: hm.http.url_path, expected_codes: hm.http.expected_codes, http_version: hm.http.v11 ? 1.1 : 1.0, domain_name: hm.http.v11 ? 'app.example' : null } : {}),
            }
          : null,
        members: pool.members.map((m: Raw, j: number) => ({
          member_id: `m${i}-${j}`, address: `192.0.2.${j + 1}`, protocol_port: 8000 + i, weight: m.weight, backup: m.backup, admin_state_up: m.admin_state_up,
          ...(m.monitor ? { monitor_address: `192.0.2.${100 + j}`, monitor_port: 9000 + i } : {}),
        })),
      });
    }
    const term = s.protocol === 'TERMINATED_HTTPS';
    listeners.push({
      listener_id: `l${i}`,
      protocol: s.protocol,
      protocol_port: 1000 + i,
      admin_state_up: s.admin_state_up,
      connection_limit: s.connection_limit,
      default_pool_id: pool ? `p${i}` : null,
      timeout_client_data: s.timeouts[0], timeout_member_connect: s.timeouts[1], timeout_member_data: s.timeouts[2], timeout_tcp_inspect: s.timeouts[3],
      allowed_cidrs: s.allowed_cidrs,
      insert_headers: Object.fromEntries(s.headers.map((h: string) => [h, 'true'])),
      ...(term ? { default_tls_container_data: tls.container, sni_container_data: tls.sni, tls_versions: s.tlsVersions, client_authentication: s.clientAuth, ...(s.clientAuth !== 'NONE' ? { client_ca_tls_container_data: tls.ca } : {}) } : {}),
      l7policies: s.policies.map((p: Raw, k: number) => ({
        l7policy_id: `pol${i}-${k}`,
        action: p.action === 'REDIRECT_TO_POOL' && !pool ? 'REJECT' : p.action,
        admin_state_up: p.admin_state_up,
        position: k + 1,
        redirect_pool_id: p.action === 'REDIRECT_TO_POOL' && pool ? `p${i}` : null,
        redirect_url: p.action === 'REDIRECT_TO_URL' ? `https://x.example/${k}?a=(1)&b=!*` : null,
        redirect_prefix: p.action === 'REDIRECT_PREFIX' ? 'https://[2001:db8::1]:8443' : null,
        redirect_http_code: p.action.startsWith('REDIRECT_TO_U') || p.action === 'REDIRECT_PREFIX' ? p.code : null,
        rules: p.rules.map((r: Raw, n: number) => ({ l7rule_id: `r${i}-${k}-${n}`, ...r.rule, invert: r.invert, admin_state_up: r.admin_state_up })),
      })),
    });
  });
  return {
    schema_version: '1.0',
    generation: 1,
    loadbalancer: { loadbalancer_id: 'lb-prop', vip_address: '127.10.200.1', additional_vips: ipv6Vip ? [{ ip_address: '::1' }] : [], listeners, pools },
  };
}

/** Valid documents of 1 to `max` listeners (those the validator refuses are filtered out). */
export function validDocArb(max = 4): fc.Arbitrary<Raw> {
  return fc
    .tuple(fc.array(listenerArb(), { minLength: 1, maxLength: max }), fc.boolean())
    .map(([specs, v6]) => assemble(specs, v6))
    .filter((raw) => validateDocument(raw).ok);
}

/** A generated document without what nginx refuses (PROMETHEUS, PROXYV2, PROXY behind HTTP, SCTP monitors, backups with hashing, odd header names). */
export function nginxFit(raw: Raw): Raw {
  const lb = raw.loadbalancer;
  const httpPools = new Set<string>();
  for (const l of lb.listeners) {
    if (l.protocol === 'PROMETHEUS') l.protocol = 'HTTP';
    if (l.protocol === 'HTTP' || l.protocol === 'TERMINATED_HTTPS') if (l.default_pool_id) httpPools.add(l.default_pool_id);
    for (const p of l.l7policies) for (const r of p.rules) if (r.type === 'HEADER') r.key = r.key.replace(/[^A-Za-z0-9-]/g, '-');
  }
  for (const p of lb.pools) {
    if (p.protocol === 'PROXYV2') p.protocol = 'PROXY';
    if (p.healthmonitor?.type === 'SCTP') p.healthmonitor.type = 'UDP-CONNECT';
    if (p.protocol === 'PROXY' && httpPools.has(p.pool_id)) p.protocol = 'HTTP';
    if (p.lb_algorithm.startsWith('SOURCE_IP') || p.session_persistence?.type === 'SOURCE_IP') for (const m of p.members) m.backup = false;
  }
  return raw;
}
