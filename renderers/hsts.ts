/** HTTP Strict Transport Security, engine-neutral: the header value a listener asks for. */
import type { Listener } from '../schemas';

/**
 * The `Strict-Transport-Security` value of a listener, or null for none: only
 * TERMINATED_HTTPS listeners with `hsts_max_age` set. Octavia's format:
 * every directive closed by ";" (`max-age=N; includeSubDomains; preload;`).
 */
export function hstsHeaderValue(l: Listener): string | null {
  if (l.protocol !== 'TERMINATED_HTTPS' || l.hsts_max_age === null) return null;
  const parts = [`max-age=${Math.trunc(l.hsts_max_age)};`];
  if (l.hsts_include_subdomains) parts.push('includeSubDomains;');
  if (l.hsts_preload) parts.push('preload;');
  return parts.join(' ');
}
