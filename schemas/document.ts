/**
 * zod schemas of the contract's document (sections 1 and 2): the envelope and
 * every object of the octavia-lib provider format. Field-level rules live
 * here; rules that look across objects live in `cross-rules*.ts`, and PEM
 * texts are parsed by `pem-rules.ts` (both run from `validate.ts`).
 *
 * Built by a factory because a document of the known minor refuses unknown
 * keys, while one of a newer minor of the same major has them ignored.
 */
import { z } from 'zod';
import * as E from './enums';
import * as P from './patterns';
import { MAX_LISTENERS, MAX_MEMBERS_PER_POOL, MAX_POOLS } from './limits';

const MAX_TIMEOUT_MS = 24 * 24 * 60 * 60 * 1000; // Octavia's MAX_TIMEOUT

/** Optional in the input (absent or null), `def` in the output. */
function withDefault<T extends z.ZodType>(schema: T, def: z.output<T>) {
  return schema.nullish().transform((v): z.output<T> => (v ?? def) as z.output<T>);
}
/** Optional in the input (absent or null), `null` in the output. */
function orNull<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v): z.output<T> | null => (v ?? null) as z.output<T> | null);
}
const str = (re: RegExp, what: string) => z.string().regex(re, { message: `must be ${what}` });

export const id = str(P.ID, 'an id of letters, digits, "-", "_" or "." (at most 64)');
const freeText = z.string().max(255).regex(P.FREE_TEXT, { message: 'must not contain control characters' });
const ref = str(P.REF, 'a reference without spaces or control characters (at most 1024 characters)');
// the patterns are coarse (and go to the JSON Schema); the refinements parse
const ipAddress = str(P.IP_CHARS, 'an IPv4 or IPv6 address')
  .refine(P.isIpAddress, { message: 'must be an IPv4 or IPv6 address' })
  .meta({ description: 'IPv4 or IPv6 address (no zone id)' });
const cidr = str(P.CIDR_CHARS, 'a CIDR (address/prefix) with a prefix in range')
  .refine(P.isCidr, { message: 'must be a CIDR (address/prefix) with a prefix in range' })
  .meta({ description: 'IPv4 or IPv6 CIDR, ADDRESS/PREFIX' });
const port = z.number().int().min(1).max(65535);
const timeoutMs = z.number().int().min(0).max(MAX_TIMEOUT_MS).meta({ description: 'milliseconds' });
// PEM texts are parsed (certificates, keys, CRLs) by the PEM pass in pem-rules.ts, once per distinct text
const pemText = (max: number, description: string) => z.string().max(max).regex(P.PEM_TEXT, { message: 'must be PEM text' }).meta({ description });
const certPem = pemText(1 << 20, 'PEM: one or more X.509 certificates');
const crlPem = pemText(8 << 20, 'PEM: one or more X.509 CRLs');
const redirectMessage = 'must be an absolute http(s) URL with a host, without quotes, spaces, ";", "$" or "#"';
const redirectUrl = z
  .string()
  .regex(P.REDIRECT_URL, { message: redirectMessage })
  .refine(P.isRedirectUrl, { message: redirectMessage })
  .meta({ description: 'absolute http(s) URL' });
// the pattern keeps the string safe to print; OpenSSL decides whether haproxy can use it
const cipherString = str(P.CIPHER_STRING, 'an OpenSSL cipher string').superRefine((v, ctx) => {
  const problem = P.cipherStringProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const boolString = z.union([z.boolean(), z.string().regex(/^(?:true|True|TRUE|false|False|FALSE)$/, { message: 'must be "true" or "false"' })]);

/** Builds every schema of the document; `strict` refuses unknown keys. */
export function buildSchemas(strict: boolean) {
  const obj = <S extends z.ZodRawShape>(shape: S) => (strict ? z.strictObject(shape) : z.object(shape));

  const tlsContainer = obj({
    id: orNull(id),
    certificate: certPem,
    private_key: pemText(1 << 20, 'PEM: one private key, encrypted when passphrase is set'),
    intermediates: withDefault(z.array(certPem).max(16), []),
    passphrase: orNull(z.string().max(1024).regex(P.FREE_TEXT, { message: 'must not contain control characters' })),
    primary_cn: orNull(freeText),
  });

  const sessionPersistence = obj({
    type: z.enum(E.PERSISTENCE_TYPES),
    cookie_name: orNull(str(P.HTTP_TOKEN, 'a cookie name (RFC 6265 token without quotes, "#", "$" or "%")')),
    persistence_timeout: withDefault(z.number().int().min(1).max(31536000).meta({ description: 'seconds' }), 360),
    persistence_granularity: orNull(ipAddress),
  });

  const healthMonitor = obj({
    healthmonitor_id: id,
    name: orNull(freeText),
    pool_id: orNull(id),
    project_id: orNull(freeText),
    type: z.enum(E.MONITOR_TYPES),
    delay: z.number().int().min(1).max(86400).meta({ description: 'seconds between checks' }),
    timeout: z.number().int().min(1).max(86400).meta({ description: 'seconds' }),
    max_retries: z.number().int().min(1).max(10),
    max_retries_down: withDefault(z.number().int().min(1).max(10), 3),
    http_method: withDefault(z.enum(E.HTTP_METHODS), 'GET'),
    url_path: withDefault(str(P.URL_PATH, 'a URL path starting with "/" (no spaces, quotes, ";", "$" or "#")'), '/'),
    expected_codes: withDefault(
      str(P.EXPECTED_CODES, 'an HTTP code, a list ("200,202") or a range ("200-204")').refine(
        (v) => !v.includes('-') || Number(v.split('-')[0]) <= Number(v.split('-')[1]),
        { message: 'must be a range whose low end is not above its high end' },
      ).transform((v) => v.replace(/ /g, '')),
      '200',
    ),
    http_version: withDefault(z.literal([1.0, 1.1]), 1.0),
    domain_name: orNull(str(P.DOMAIN_NAME, 'a DNS name')),
    admin_state_up: withDefault(z.boolean(), true),
  });

  const member = obj({
    member_id: id,
    name: orNull(freeText),
    pool_id: orNull(id),
    project_id: orNull(freeText),
    address: ipAddress,
    protocol_port: port,
    weight: withDefault(z.number().int().min(0).max(256), 1),
    backup: withDefault(z.boolean(), false),
    admin_state_up: withDefault(z.boolean(), true),
    monitor_address: orNull(ipAddress),
    monitor_port: orNull(port),
    subnet_id: orNull(id),
    // Octavia 2025.1+: the port's binding (normal, direct, ...); nothing to render on the VM
    vnic_type: orNull(str(P.VNIC_TYPE, 'a Neutron vnic_type such as "normal" or "direct"')),
  });

  const pool = obj({
    pool_id: id,
    name: orNull(freeText),
    description: orNull(freeText),
    loadbalancer_id: orNull(id),
    listener_id: orNull(id),
    project_id: orNull(freeText),
    admin_state_up: withDefault(z.boolean(), true),
    protocol: z.enum(E.POOL_PROTOCOLS),
    lb_algorithm: z.enum(E.LB_ALGORITHMS),
    session_persistence: orNull(sessionPersistence),
    healthmonitor: orNull(healthMonitor),
    members: withDefault(z.array(member).max(MAX_MEMBERS_PER_POOL), []),
    tls_enabled: withDefault(z.boolean(), false),
    tls_container_ref: orNull(ref),
    tls_container_data: orNull(tlsContainer),
    ca_tls_container_ref: orNull(ref),
    ca_tls_container_data: orNull(certPem),
    crl_container_ref: orNull(ref),
    crl_container_data: orNull(crlPem),
    tls_versions: orNull(z.array(z.enum(E.TLS_VERSIONS)).min(1)),
    tls_ciphers: orNull(cipherString),
    alpn_protocols: orNull(z.array(z.enum(E.ALPN_PROTOCOLS)).min(1)),
  });

  const l7rule = obj({
    l7rule_id: id,
    l7policy_id: orNull(id),
    project_id: orNull(freeText),
    admin_state_up: withDefault(z.boolean(), true),
    type: z.enum(E.L7_RULE_TYPES),
    compare_type: z.enum(E.L7_COMPARE_TYPES),
    key: orNull(str(P.HTTP_TOKEN, 'a header, cookie or DN field name (RFC 7230 token without quotes, "#", "$" or "%")')),
    value: str(P.L7_VALUE, 'printable ASCII, 1 to 255 characters (no control characters)'),
    invert: withDefault(z.boolean(), false),
  });

  const l7policy = obj({
    l7policy_id: id,
    listener_id: orNull(id),
    name: orNull(freeText),
    description: orNull(freeText),
    project_id: orNull(freeText),
    admin_state_up: withDefault(z.boolean(), true),
    action: z.enum(E.L7_ACTIONS),
    position: orNull(z.number().int().min(1).max(2147483647)),
    redirect_pool_id: orNull(id),
    redirect_url: orNull(redirectUrl),
    redirect_prefix: orNull(redirectUrl),
    redirect_http_code: orNull(z.literal(E.REDIRECT_HTTP_CODES)),
    rules: withDefault(z.array(l7rule).max(50), []),
  });

  type HeaderName = (typeof E.INSERT_HEADERS)[number];
  const known = new Set<string>(E.INSERT_HEADERS);
  // a newer minor may name headers this agent cannot insert: ignored like any unknown key
  const headerMap = strict ? z.partialRecord(z.enum(E.INSERT_HEADERS), boolString) : z.record(z.string(), boolString);
  const insertHeaders = headerMap.transform((h) => {
    const out: Partial<Record<HeaderName, boolean>> = {};
    for (const [k, v] of Object.entries(h)) {
      if (known.has(k)) out[k as HeaderName] = v === true || String(v).toLowerCase() === 'true';
    }
    return out;
  });

  const listener = obj({
    listener_id: id,
    loadbalancer_id: orNull(id),
    name: orNull(freeText),
    description: orNull(freeText),
    project_id: orNull(freeText),
    admin_state_up: withDefault(z.boolean(), true),
    protocol: z.enum(E.LISTENER_PROTOCOLS),
    protocol_port: port,
    connection_limit: withDefault(z.number().int().min(-1).max(1000000), -1),
    default_pool_id: orNull(id),
    default_pool: orNull(pool),
    insert_headers: withDefault(insertHeaders, {}),
    timeout_client_data: withDefault(timeoutMs, 50000),
    timeout_member_connect: withDefault(timeoutMs, 5000),
    timeout_member_data: withDefault(timeoutMs, 50000),
    timeout_tcp_inspect: withDefault(timeoutMs, 0),
    default_tls_container_ref: orNull(ref),
    default_tls_container_data: orNull(tlsContainer),
    sni_container_refs: orNull(z.array(ref).max(1000)),
    sni_container_data: withDefault(z.array(tlsContainer).max(1000), []),
    client_authentication: withDefault(z.enum(E.CLIENT_AUTH_MODES), 'NONE'),
    client_ca_tls_container_ref: orNull(ref),
    client_ca_tls_container_data: orNull(certPem),
    client_crl_container_ref: orNull(ref),
    client_crl_container_data: orNull(crlPem),
    allowed_cidrs: orNull(z.array(cidr).max(1000)),
    tls_versions: orNull(z.array(z.enum(E.TLS_VERSIONS)).min(1)),
    tls_ciphers: orNull(cipherString),
    alpn_protocols: orNull(z.array(z.enum(E.ALPN_PROTOCOLS)).min(1)),
    l7policies: withDefault(z.array(l7policy).max(1000), []),
    // Octavia 2023.2+ sends these on every listener (null/false when unused); TERMINATED_HTTPS only
    hsts_max_age: orNull(z.number().int().min(0).max(2147483647).meta({ description: 'seconds; null: no Strict-Transport-Security header' })),
    hsts_include_subdomains: withDefault(z.boolean(), false),
    hsts_preload: withDefault(z.boolean(), false),
  });

  const additionalVip = obj({
    ip_address: ipAddress,
    subnet_id: orNull(id),
    network_id: orNull(id),
    port_id: orNull(id),
  });

  const loadbalancer = obj({
    loadbalancer_id: id,
    name: orNull(freeText),
    description: orNull(freeText),
    project_id: orNull(freeText),
    admin_state_up: withDefault(z.boolean(), true),
    vip_address: ipAddress,
    vip_port_id: orNull(id),
    vip_network_id: orNull(id),
    vip_subnet_id: orNull(id),
    vip_qos_policy_id: orNull(id),
    // Octavia 2025.1+: security groups of the VIP port, applied by Neutron; nothing to render on the VM
    vip_sg_ids: orNull(z.array(id).max(100)),
    additional_vips: withDefault(z.array(additionalVip).max(64), []),
    listeners: withDefault(z.array(listener).max(MAX_LISTENERS), []),
    pools: withDefault(z.array(pool).max(MAX_POOLS), []),
    flavor: orNull(z.record(z.string(), z.unknown())),
    availability_zone: orNull(z.union([freeText, z.record(z.string(), z.unknown())])),
  });

  const amphora = obj({
    id: orNull(id),
    topology: withDefault(z.enum(E.TOPOLOGIES), 'SINGLE'),
    role: withDefault(z.enum(E.AMPHORA_ROLES), 'STANDALONE'),
    vrrp_address: orNull(ipAddress),
    vrrp_priority: orNull(z.number().int().min(1).max(254)),
    vrrp_peers: withDefault(z.array(obj({ id: id, address: ipAddress })).max(16), []),
  });

  const document = obj({
    schema_version: str(P.SCHEMA_VERSION, 'a version "MAJOR.MINOR"'),
    generation: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    loadbalancer,
    amphora: orNull(amphora),
  });

  return { document, loadbalancer, listener, pool, member, healthMonitor, l7policy, l7rule, tlsContainer, amphora };
}

/** The schemas of the known minor: unknown keys refused. */
export const strictSchemas = buildSchemas(true);
let lenient: ReturnType<typeof buildSchemas> | null = null;
/** The schemas for a newer minor of a known major: unknown keys ignored (built on first use: most agents never need them). */
export const lenientSchemas = (): ReturnType<typeof buildSchemas> => (lenient ??= buildSchemas(false));

export type Document = z.output<typeof strictSchemas.document>;
export type LoadBalancer = Document['loadbalancer'];
export type Listener = LoadBalancer['listeners'][number];
export type Pool = LoadBalancer['pools'][number];
export type Member = Pool['members'][number];
export type HealthMonitor = NonNullable<Pool['healthmonitor']>;
export type SessionPersistence = NonNullable<Pool['session_persistence']>;
export type L7Policy = Listener['l7policies'][number];
export type L7Rule = L7Policy['rules'][number];
export type TlsContainer = NonNullable<Listener['default_tls_container_data']>;
export type Amphora = NonNullable<Document['amphora']>;
