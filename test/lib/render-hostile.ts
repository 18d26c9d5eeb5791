/**
 * Hostile strings and every place a document string reaches a rendered
 * config. Each variant is either refused by validateDocument or rendered so
 * that it adds no line, directive, comment or block (render-hostile tests).
 */
import { validateDocument, type Document } from '../../schemas';
import { exampleTls, rawDoc, rawListener, rawMember, rawPolicy, rawPool, rawRule } from './render-fixtures';

/** Characters that carry syntax in some config file, and a few that carry none but tempt. */
export const HOSTILE: Record<string, string> = {
  newline: 'a\nb',
  cr: 'a\rb',
  nul: 'a\0b',
  tab: 'a\tb',
  dquote: 'a"b',
  squote: "a'b",
  hash: 'a#b',
  lbrace: 'a{b',
  rbrace: 'a}b',
  semicolon: 'a;b',
  backslash: 'a\\b',
  backslash_n: 'a\\nb',
  space: 'a b',
  dollar_env: 'a${HOME}b',
  percent_fmt: 'a%[src]b',
  comment_bang: 'a!b',
  directive: 'a\n    server evil 10.0.0.1:80',
  dashes: '-m reg',
};

type Raw = Record<string, any>;

/** A document touching every feature whose strings reach haproxy.cfg or keepalived.conf. */
export function hostileBase(): Raw {
  const tls = exampleTls();
  const hm = { healthmonitor_id: 'hm1', type: 'HTTP', delay: 5, timeout: 3, max_retries: 2, url_path: '/health', http_version: 1.1, domain_name: 'app.example', expected_codes: '200' };
  const policies = [
    rawPolicy('pol1', 'REDIRECT_TO_URL', [rawRule('r1', 'PATH', 'EQUAL_TO', '/x')], { redirect_url: 'https://x.example/' }),
    rawPolicy('pol2', 'REDIRECT_PREFIX', [rawRule('r2', 'HEADER', 'CONTAINS', 'v', { key: 'X-K' })], { redirect_prefix: 'https://y.example' }),
    rawPolicy('pol3', 'REJECT', [rawRule('r3', 'COOKIE', 'REGEX', 'v', { key: 'c' }), rawRule('r4', 'SSL_DN_FIELD', 'STARTS_WITH', 'v', { key: 'CN' })]),
  ];
  return {
    ...rawDoc(
      [
        rawListener('l1', 443, 'p1', { protocol: 'TERMINATED_HTTPS', default_tls_container_data: tls.container, tls_ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', l7policies: policies, name: 'front', description: 'd' }),
        rawListener('u1', 53, 'pu', { protocol: 'UDP' }),
      ],
      [
        rawPool('p1', [rawMember('m1', '192.0.2.1', 80, { name: 'member one' })], { healthmonitor: hm, session_persistence: { type: 'APP_COOKIE', cookie_name: 'SESS' }, name: 'pool', tls_enabled: true, tls_ciphers: 'AES128-SHA' }),
        rawPool('pu', [rawMember('mu', '192.0.2.5', 53)], { protocol: 'UDP', healthmonitor: { ...hm, healthmonitor_id: 'hm2' } }),
      ],
      { name: 'lb', description: 'the lb' },
    ),
    amphora: { id: 'amp1', topology: 'ACTIVE_STANDBY', role: 'MASTER', vrrp_address: '10.0.0.11', vrrp_peers: [{ id: 'amp2', address: '10.0.0.12' }] },
  };
}

/** Every (place, hostile value) whose document the validator accepts, validated: what an engine must then accept too. */
export function* acceptedHostileVariants(): Generator<{ place: Place; value: string; doc: Document }> {
  for (const place of PLACES) {
    for (const value of Object.values(HOSTILE)) {
      const raw = hostileBase();
      place.set(raw, value);
      const v = validateDocument(raw);
      if (v.ok) yield { place, value, doc: v.doc };
    }
  }
}

/** Where a string goes: a name, and how to put it there. `rendered` false for free text that must never reach a config. */
export interface Place {
  name: string;
  rendered: boolean;
  set: (doc: Raw, v: string) => void;
}

const L = (d: Raw) => d.loadbalancer.listeners[0];
const P = (d: Raw) => d.loadbalancer.pools[0];
const rule = (d: Raw, i: number, j: number) => L(d).l7policies[i].rules[j];

export const PLACES: Place[] = [
  { name: 'L7 PATH EQUAL_TO value', rendered: true, set: (d, v) => (rule(d, 0, 0).value = v) },
  { name: 'L7 HEADER value', rendered: true, set: (d, v) => (rule(d, 1, 0).value = v) },
  { name: 'L7 HEADER key', rendered: true, set: (d, v) => (rule(d, 1, 0).key = v) },
  { name: 'L7 COOKIE REGEX value', rendered: true, set: (d, v) => (rule(d, 2, 0).value = v) },
  { name: 'L7 COOKIE key', rendered: true, set: (d, v) => (rule(d, 2, 0).key = v) },
  { name: 'L7 SSL_DN_FIELD value', rendered: true, set: (d, v) => (rule(d, 2, 1).value = v) },
  { name: 'L7 SSL_DN_FIELD key', rendered: true, set: (d, v) => (rule(d, 2, 1).key = v) },
  { name: 'redirect_url', rendered: true, set: (d, v) => (L(d).l7policies[0].redirect_url = `https://x.example/${v}`) },
  { name: 'redirect_prefix', rendered: true, set: (d, v) => (L(d).l7policies[1].redirect_prefix = `https://y.example/${v}`) },
  { name: 'l7rule_id', rendered: true, set: (d, v) => (rule(d, 0, 0).l7rule_id = v) },
  { name: 'listener_id', rendered: true, set: (d, v) => (L(d).listener_id = v) },
  { name: 'pool_id', rendered: true, set: (d, v) => { P(d).pool_id = v; L(d).default_pool_id = v; } },
  { name: 'member_id', rendered: true, set: (d, v) => (P(d).members[0].member_id = v) },
  { name: 'loadbalancer_id', rendered: true, set: (d, v) => (d.loadbalancer.loadbalancer_id = v) },
  { name: 'member address', rendered: true, set: (d, v) => (P(d).members[0].address = `192.0.2.1${v}`) },
  { name: 'vip_address', rendered: true, set: (d, v) => (d.loadbalancer.vip_address = `127.10.0.1${v}`) },
  { name: 'allowed_cidrs', rendered: true, set: (d, v) => (L(d).allowed_cidrs = [`10.0.0.0/8${v}`]) },
  { name: 'cookie_name', rendered: true, set: (d, v) => (P(d).session_persistence.cookie_name = v) },
  { name: 'url_path', rendered: true, set: (d, v) => { P(d).healthmonitor.url_path = `/h${v}`; d.loadbalancer.pools[1].healthmonitor.url_path = `/h${v}`; } },
  { name: 'domain_name', rendered: true, set: (d, v) => (P(d).healthmonitor.domain_name = v) },
  { name: 'expected_codes', rendered: true, set: (d, v) => (P(d).healthmonitor.expected_codes = `200${v}`) },
  { name: 'listener tls_ciphers', rendered: true, set: (d, v) => (L(d).tls_ciphers = `HIGH:${v}`) },
  { name: 'pool tls_ciphers', rendered: true, set: (d, v) => (P(d).tls_ciphers = `HIGH:${v}`) },
  { name: 'amphora id', rendered: true, set: (d, v) => (d.amphora.id = v) },
  { name: 'vrrp_address', rendered: true, set: (d, v) => (d.amphora.vrrp_address = `10.0.0.11${v}`) },
  { name: 'loadbalancer name', rendered: false, set: (d, v) => (d.loadbalancer.name = v) },
  { name: 'listener description', rendered: false, set: (d, v) => (L(d).description = v) },
  { name: 'member name', rendered: false, set: (d, v) => (P(d).members[0].name = v) },
];

/**
 * haproxy's own word splitting (configuration manual, 2.2): spaces separate,
 * `#` starts a comment, `\` escapes, "..." quotes weakly, '...' strongly.
 * Returns the words as haproxy reads them, to check a value round-trips.
 */
export function haproxyWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let q: '"' | "'" | null = null;
  const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q === "'") {
      if (c === "'") q = null;
      else cur += c;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      const n = line[++i];
      cur += esc[n] ?? n;
      inWord = true;
      continue;
    }
    if (q === '"') {
      if (c === '"') q = null;
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      q = c;
      inWord = true;
    } else if (c === '#') {
      break;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Shape of a config: the first word of every non-blank, non-comment line. */
export function configShape(cfg: string): string[] {
  return cfg.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).map((l) => l.trim().split(/\s+/)[0]);
}
