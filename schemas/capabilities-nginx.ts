/**
 * What nginx open source cannot serve as haproxy does, finer than the enum
 * lists of EngineCapabilities: each use is a `{path, message}` naming the
 * field and nginx, so a controller learns why (and GET /v1/info lists the
 * rules, NGINX_RESTRICTIONS). checkCapabilities runs this for nginx; pure and
 * beside the contract, so a controller runs it too.
 */
import { isIP } from 'node:net';
import type { Document } from './document';
import { formatPath, servedPolicies } from './raw';

export interface Refusal {
  path: string;
  message: string;
}

/** The prefix length of an IPv4 netmask, or null when it is not a contiguous IPv4 mask. */
export function netmaskPrefix(mask: string | null | undefined): number | null {
  if (!mask || isIP(mask) !== 4) return null;
  const bits = mask.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits)) return null;
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}

/**
 * Why nginx would read a PCRE pattern differently from haproxy, or null:
 * nginx turns every named group into a variable of the request, so a group
 * name could overwrite one of the renderer's own variables or collide with a
 * built-in one (`(?<host>...)`). Named groups are refused; everything else
 * compiles with the same PCRE2 library and options as in haproxy.
 */
export function nginxRegexProblem(re: string): string | null {
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      // a class: skip to its closing bracket (a "]" first in the class is literal)
      let j = i + 1;
      if (re[j] === '^') j++;
      if (re[j] === ']') j++;
      while (j < re.length && re[j] !== ']') j += re[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '(' && /^\(\?(?:<[A-Za-z_]|P<|')/.test(re.slice(i))) {
      return 'must not name a group: nginx makes every named group a variable of the request';
    }
  }
  return null;
}

/** The rules checkNginx enforces, in words, for GET /v1/info (`field` uses `[]` for every index). */
export const NGINX_RESTRICTIONS: readonly { field: string; rule: string }[] = [
  { field: 'loadbalancer.pools[].protocol', rule: 'PROXYV2 is not served: nginx sends the PROXY protocol in version 1 only' },
  { field: 'loadbalancer.listeners[].default_pool_id', rule: 'a PROXY pool is served behind TCP and HTTPS listeners only: nginx cannot send the PROXY protocol from its HTTP proxy' },
  { field: 'loadbalancer.listeners[].l7policies[].redirect_pool_id', rule: 'as default_pool_id: no PROXY pool behind an HTTP or TERMINATED_HTTPS listener' },
  { field: 'loadbalancer.pools[].ca_tls_container_data', rule: 'not served: nginx verifies a member certificate only together with a host name, and members are addressed by IP (haproxy checks the chain alone)' },
  { field: 'loadbalancer.pools[].alpn_protocols', rule: 'h2 is not served: nginx speaks HTTP/1.1 to members and sends no ALPN' },
  { field: 'loadbalancer.pools[].members[].backup', rule: 'not served when the pool hashes clients (lb_algorithm SOURCE_IP or SOURCE_IP_PORT, or SOURCE_IP persistence): nginx has no backup servers with hash' },
  { field: 'loadbalancer.pools[].session_persistence.persistence_granularity', rule: 'a netmask of whole octets only (255.255.255.0, 255.255.0.0, ...): nginx cannot mask addresses bit by bit' },
  { field: 'loadbalancer.pools[].session_persistence.cookie_name', rule: 'APP_COOKIE: not AMPHORA_SRV, the cookie nginx remembers the member in' },
  { field: 'loadbalancer.listeners[].l7policies[].rules[].key', rule: 'HEADER rules: a header name of letters, digits and "-" (nginx reads headers through variables)' },
  { field: 'loadbalancer.listeners[].l7policies[].rules[].value', rule: 'REGEX rules: no named groups (nginx makes them variables of the request)' },
  { field: 'loadbalancer.listeners[].tls_versions', rule: 'not SSLv3 alone: the OpenSSL nginx uses has no SSLv3, so nothing could connect' },
  { field: 'loadbalancer.pools[].tls_versions', rule: 'as for listeners: not SSLv3 alone' },
];

const HASHING = new Set(['SOURCE_IP', 'SOURCE_IP_PORT']);

/** Every use in `doc` of what nginx `version` cannot serve as haproxy does. */
export function checkNginx(doc: Document, version: string): Refusal[] {
  const out: Refusal[] = [];
  const lb = ['loadbalancer'];
  const refuse = (path: (string | number)[], what: string) => out.push({ path: formatPath(path), message: `${what} is not served by nginx ${version}` });
  const pools = new Map(doc.loadbalancer.pools.map((p) => [p.pool_id, p] as const));
  doc.loadbalancer.pools.forEach((p, i) => {
    const pp = [...lb, 'pools', i];
    if (p.protocol === 'PROXYV2') refuse([...pp, 'protocol'], 'PROXYV2 (nginx sends the PROXY protocol in version 1 only)');
    if (p.ca_tls_container_data) refuse([...pp, 'ca_tls_container_data'], 'verifying members against a CA (nginx checks a host name as well, and members are addressed by IP)');
    if (p.tls_enabled && p.tls_versions?.every((v) => v === 'SSLv3')) refuse([...pp, 'tls_versions'], 'SSLv3 alone (the OpenSSL nginx uses has no SSLv3)');
    if (p.alpn_protocols?.includes('h2')) refuse([...pp, 'alpn_protocols'], 'h2 towards members (nginx speaks HTTP/1.1 to members)');
    const sp = p.session_persistence;
    const hashes = HASHING.has(p.lb_algorithm) || sp?.type === 'SOURCE_IP';
    if (hashes) p.members.forEach((m, j) => m.backup && refuse([...pp, 'members', j, 'backup'], 'a backup member in a pool that hashes clients'));
    if (sp?.type === 'SOURCE_IP' && sp.persistence_granularity) {
      const prefix = netmaskPrefix(sp.persistence_granularity);
      if (prefix === null || prefix % 8 !== 0) refuse([...pp, 'session_persistence', 'persistence_granularity'], `the netmask ${sp.persistence_granularity} (whole octets only)`);
    }
    if (sp?.type === 'APP_COOKIE' && sp.cookie_name === 'AMPHORA_SRV') refuse([...pp, 'session_persistence', 'cookie_name'], 'the cookie name AMPHORA_SRV (nginx keeps its own persistence cookie under that name)');
  });
  doc.loadbalancer.listeners.forEach((l, i) => {
    const lp = [...lb, 'listeners', i];
    const http = l.protocol === 'HTTP' || l.protocol === 'TERMINATED_HTTPS';
    if (http && l.default_pool_id && pools.get(l.default_pool_id)?.protocol === 'PROXY') refuse([...lp, 'default_pool_id'], `a PROXY pool behind a ${l.protocol} listener`);
    if (l.tls_versions && l.tls_versions.every((v) => v === 'SSLv3')) refuse([...lp, 'tls_versions'], 'SSLv3 alone (the OpenSSL nginx uses has no SSLv3)');
    servedPolicies(l).forEach((pol, j) => {
      const pp = [...lp, 'l7policies', j];
      if (pol.redirect_pool_id && pools.get(pol.redirect_pool_id)?.protocol === 'PROXY') refuse([...pp, 'redirect_pool_id'], `a PROXY pool behind a ${l.protocol} listener`);
      pol.rules.forEach((r, k) => {
        const rp = [...pp, 'rules', k];
        if (r.type === 'HEADER' && r.key && !/^[A-Za-z0-9-]+$/.test(r.key)) refuse([...rp, 'key'], `the header name ${JSON.stringify(r.key)} (letters, digits and "-" only)`);
        if (r.compare_type === 'REGEX' && nginxRegexProblem(r.value)) refuse([...rp, 'value'], 'a regular expression with a named group');
      });
    });
  });
  return out;
}
