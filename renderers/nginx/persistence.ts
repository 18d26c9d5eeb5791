/**
 * Cookie persistence without NGINX Plus's `sticky`. Every response names the
 * member that served it in a cookie (`SRV` for HTTP_COOKIE, as haproxy
 * inserts; `AMPHORA_SRV` beside the application's own cookie for
 * APP_COOKIE), with `Max-Age` = persistence_timeout refreshed on each
 * response; a request whose cookie names a member that may serve (for
 * APP_COOKIE: and that carries the application's cookie) goes to that
 * member's own upstream, and back to the pool if it fails.
 */
import type { Pool } from '../../schemas';
import { formatAddress, setCookie } from './helpers';
import { mapKey, mapRegex, regexLiteral } from './quote';
import type { BlockRegistry } from './registry';
import { cookieVar, cookieWithoutVar } from './sources';
import { upstreamName } from './build-upstream';

/** haproxy's cookie name for HTTP_COOKIE persistence (`cookie SRV insert`). */
export const HTTP_COOKIE_NAME = 'SRV';
/** The cookie that remembers the member of an APP_COOKIE pool (the application's cookie decides whether it applies). */
export const APP_COOKIE_MARKER = 'AMPHORA_SRV';

export interface CookiePersistence {
  /** the upstream to proxy to: a member's when pinned, else the pool's */
  upstream: string;
  /** `add_header` lines naming the serving member */
  responseLines: string[];
  /** the Cookie header members get (without the persistence cookie) */
  cookieHeader: string;
}

/** The pinning of a cookie-persistence pool behind listener `listenerId`, or null for other pools. */
export function cookiePersistence(p: Pool, listenerId: string, reg: BlockRegistry, down: ReadonlySet<string>): CookiePersistence | null {
  const sp = p.session_persistence;
  if (!sp || (sp.type !== 'HTTP_COOKIE' && sp.type !== 'APP_COOKIE')) return null;
  const marker = sp.type === 'HTTP_COOKIE' ? HTTP_COOKIE_NAME : APP_COOKIE_MARKER;
  const markerVar = cookieVar(reg, marker);
  const pool = upstreamName(p.pool_id, listenerId);
  // a member may keep its clients while it can serve at all, weight 0 (draining) included, as in haproxy
  const pinnable = p.admin_state_up ? p.members.filter((m) => m.admin_state_up && !down.has(m.member_id)) : [];
  const n = reg.next();
  let source = markerVar;
  let keyOf = (id: string) => id;
  if (sp.type === 'APP_COOKIE') {
    const app = cookieVar(reg, sp.cookie_name ?? '');
    reg.add({ head: `map ${app} $amph_app${n}`, lines: ['"" 0;', 'default 1;'] });
    source = `"$amph_app${n}${markerVar}"`;
    keyOf = (id) => `1${id}`;
  }
  reg.add({ head: `map ${source} $amph_pin${n}`, lines: [...pinnable.map((m) => `${mapKey(keyOf(m.member_id))} ${upstreamName(p.pool_id, listenerId, m.member_id)};`), `default ${pool};`] });
  // $upstream_addr lists every member tried ("a:1, b:2"): the last one answered
  reg.add({
    head: `map $upstream_addr $amph_setck${n}`,
    lines: [...p.members.map((m) => `${mapRegex(`(?:^|, )${regexLiteral(formatAddress(m.address, m.protocol_port))}$`)} ${setCookie(marker, m.member_id, sp.persistence_timeout)};`), 'default "";'],
  });
  return { upstream: `$amph_pin${n}`, responseLines: [`add_header Set-Cookie $amph_setck${n};`], cookieHeader: cookieWithoutVar(reg, marker) };
}
