/**
 * The request headers nginx sends to members: the client's Host and upgrade
 * headers passed through (nginx would send its upstream's name and
 * `Connection: close`), then the listener's `insert_headers`, with the values
 * haproxy's fetches give wherever nginx has them (README: differences).
 */
import type { Listener } from '../../schemas';
import { mapRegex } from './quote';
import type { BlockRegistry } from './registry';
import { dnFieldVar, hasCertVar, verifyVar } from './sources';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A certificate date in haproxy's `YYMMDDhhmmssZ` form, from nginx's
 * `Mon dd hh:mm:ss yyyy GMT` (`$ssl_client_v_start`/`_end`).
 */
export function certDateVar(reg: BlockRegistry, source: '$ssl_client_v_start' | '$ssl_client_v_end'): string {
  return reg.once(`date:${source}`, (n) => {
    const lines: string[] = [];
    MONTHS.forEach((mon, i) => {
      const mm = String(i + 1).padStart(2, '0');
      const tail = `(?<amph_h${n}>\\d\\d):(?<amph_m${n}>\\d\\d):(?<amph_s${n}>\\d\\d) \\d\\d(?<amph_y${n}>\\d\\d) GMT$`;
      const value = (day: string) => `"\${amph_y${n}}${mm}${day}\${amph_h${n}}\${amph_m${n}}\${amph_s${n}}Z"`;
      // the day is space-padded: "Jan  1" and "Jan 21"
      lines.push(`${mapRegex(`^${mon}  (?<amph_d${n}>\\d) ${tail}`)} ${value(`0\${amph_d${n}}`)};`);
      lines.push(`${mapRegex(`^${mon} (?<amph_d${n}>\\d\\d) ${tail}`)} ${value(`\${amph_d${n}}`)};`);
    });
    lines.push('default "";');
    return { variable: `$amph_date${n}`, block: { head: `map ${source} $amph_date${n}`, lines } };
  });
}

/** `$amph_connection`: `upgrade` when the client asks for one (websockets), else empty so member connections are reused. */
function connectionVar(reg: BlockRegistry): string {
  return reg.once('connection', () => ({
    variable: '$amph_connection',
    block: { head: 'map $http_upgrade $amph_connection', lines: ['"" "";', 'default upgrade;'] },
  }));
}

type HeaderName = keyof Listener['insert_headers'];

/** The value of each insertable header, as an nginx expression. */
function insertValue(h: HeaderName, reg: BlockRegistry): string {
  switch (h) {
    case 'X-Forwarded-For':
      return '$proxy_add_x_forwarded_for';
    case 'X-Forwarded-Port':
      return '$server_port';
    case 'X-Forwarded-Proto':
      return '$scheme';
    case 'X-SSL-Client-Verify':
      return verifyVar(reg);
    case 'X-SSL-Client-Has-Cert':
      return hasCertVar(reg);
    case 'X-SSL-Client-DN':
      return '$ssl_client_s_dn_legacy';
    case 'X-SSL-Client-CN':
      return dnFieldVar(reg, 'CN');
    case 'X-SSL-Issuer':
      return '$ssl_client_i_dn_legacy';
    case 'X-SSL-Client-SHA1':
      return '$ssl_client_fingerprint';
    case 'X-SSL-Client-Not-Before':
      return certDateVar(reg, '$ssl_client_v_start');
    case 'X-SSL-Client-Not-After':
      return certDateVar(reg, '$ssl_client_v_end');
    default:
      throw new Error(`no nginx value for header ${String(h)}`);
  }
}

const ORDER: HeaderName[] = [
  'X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-SSL-Client-Verify', 'X-SSL-Client-Has-Cert',
  'X-SSL-Client-DN', 'X-SSL-Client-CN', 'X-SSL-Issuer', 'X-SSL-Client-SHA1', 'X-SSL-Client-Not-Before', 'X-SSL-Client-Not-After',
];

/**
 * Every `proxy_set_header` of a listener's locations. nginx drops inherited
 * ones as soon as a location sets one, so each location prints them all;
 * `cookie` replaces the Cookie header (persistence keeps its cookie to itself).
 */
export function proxyHeaderLines(l: Listener, reg: BlockRegistry, cookie: string | null): string[] {
  const out = ['proxy_set_header Host $http_host;', `proxy_set_header Connection ${connectionVar(reg)};`, 'proxy_set_header Upgrade $http_upgrade;'];
  for (const h of ORDER) if (l.insert_headers[h] === true) out.push(`proxy_set_header ${h} ${insertValue(h, reg)};`);
  if (cookie) out.push(`proxy_set_header Cookie ${cookie};`);
  return out;
}
