/**
 * The request values L7 rules and persistence compare, each as an nginx
 * variable made once per context by a map: the host without its port, the
 * path without its query, the extension after the path's last dot, a cookie
 * by its exact (case-sensitive) name, a client-certificate DN field. nginx's
 * own `$uri` (decoded, normalized) and `$cookie_NAME` (name matched without
 * case) would compare other text than haproxy's `path` and `req.cook()`.
 */
import { UnsafeValueError } from '../escape';
import { mapRegex, nginxWord, regexLiteral } from './quote';
import type { BlockRegistry } from './registry';

/** `$amph_host`: the Host header without a port (`[v6]` kept bracketed), as haproxy's `host_only`. */
export function hostVar(reg: BlockRegistry): string {
  return reg.once('host', () => ({
    variable: '$amph_host',
    block: { head: 'map $http_host $amph_host', lines: [`${mapRegex('^(?<amph_hv>\\[[^\\]]*\\]|[^:]*)')} $amph_hv;`] },
  }));
}

/** `$amph_path`: the request path as sent (not decoded), without the query string. */
export function pathVar(reg: BlockRegistry): string {
  return reg.once('path', () => ({
    variable: '$amph_path',
    block: { head: 'map $request_uri $amph_path', lines: [`${mapRegex('^(?<amph_pv>[^?]*)')} $amph_pv;`] },
  }));
}

/** `$amph_ext`: the text after the path's last dot, empty when the path has none (haproxy's FILE_TYPE fetch). */
export function extVar(reg: BlockRegistry): string {
  const path = pathVar(reg);
  return reg.once('ext', () => ({
    variable: '$amph_ext',
    block: { head: `map ${path} $amph_ext`, lines: [`${mapRegex('\\.(?<amph_ev>[^.]*)$')} $amph_ev;`, 'default "";'] },
  }));
}

/** `$http_NAME` of a header: letters, digits and `-` only (other names are refused by the capability check). */
export function headerVar(name: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw new UnsafeValueError('a header name nginx can read', name);
  return `$http_${name.toLowerCase().replace(/-/g, '_')}`;
}

/** The value of the first cookie named exactly `name` (empty when absent). */
export function cookieVar(reg: BlockRegistry, name: string): string {
  return reg.once(`cookie:${name}`, (n) => ({
    variable: `$amph_ck${n}`,
    block: { head: `map $http_cookie $amph_ck${n}`, lines: [`${mapRegex(`(?:^|;)\\s*${regexLiteral(name)}=(?<amph_ckv${n}>[^;]*)`)} $amph_ckv${n};`, 'default "";'] },
  }));
}

/**
 * The Cookie header without the first cookie named `name` (haproxy's
 * `cookie ... indirect` keeps its persistence cookie from the members).
 */
export function cookieWithoutVar(reg: BlockRegistry, name: string): string {
  const lit = regexLiteral(name);
  return reg.once(`cookie-without:${name}`, (n) => ({
    variable: `$amph_ckw${n}`,
    block: {
      head: `map $http_cookie $amph_ckw${n}`,
      lines: [
        `${mapRegex(`^\\s*${lit}=[^;]*(?:;\\s*)?(?<amph_ckwa${n}>.*)$`)} $amph_ckwa${n};`,
        `${mapRegex(`^(?<amph_ckwb${n}>.*?);\\s*${lit}=[^;]*(?<amph_ckwc${n}>.*)$`)} "$amph_ckwb${n}$amph_ckwc${n}";`,
        'default $http_cookie;',
      ],
    },
  }));
}

/**
 * A field of the client certificate's subject, the first from the DN's
 * beginning as haproxy's `ssl_c_s_dn(FIELD)`. nginx's one-line form
 * (`/C=../CN=..`) keeps values unescaped; a value holding `/` is cut there.
 */
export function dnFieldVar(reg: BlockRegistry, field: string): string {
  nginxWord(field, 'a DN field');
  return reg.once(`dn:${field}`, (n) => ({
    variable: `$amph_dn${n}`,
    block: { head: `map $ssl_client_s_dn_legacy $amph_dn${n}`, lines: [`${mapRegex(`(?:^|/)${regexLiteral(field)}=(?<amph_dnv${n}>[^/]*)`)} $amph_dnv${n};`, 'default "";'] },
  }));
}

/** `$amph_has_cert`: 1 when the client presented a certificate (haproxy's `ssl_c_used`). */
export function hasCertVar(reg: BlockRegistry): string {
  return reg.once('has-cert', () => ({
    variable: '$amph_has_cert',
    block: { head: 'map $ssl_client_verify $amph_has_cert', lines: ['NONE 0;', '"" 0;', 'default 1;'] },
  }));
}

/**
 * `$amph_verify`: haproxy's `ssl_c_verify`, 0 when the certificate verified or
 * none was sent. nginx names no OpenSSL code of a failure, but a failed
 * certificate never reaches a rule: nginx answers 400 first (as haproxy
 * ends the handshake).
 */
export function verifyVar(reg: BlockRegistry): string {
  return reg.once('verify', () => ({
    variable: '$amph_verify',
    block: { head: 'map $ssl_client_verify $amph_verify', lines: ['SUCCESS 0;', 'NONE 0;', 'default $ssl_client_verify;'] },
  }));
}
