/**
 * L7 policies and rules as haproxy ACLs. haproxy evaluates `http-request`
 * rules before `use_backend`, whatever their order in the file, so position
 * order is kept by electing the first matching policy into a variable and
 * acting on that variable: one policy wins, as in Octavia's API.
 */
import type { L7Policy, L7Rule, Listener } from '../../schemas';
import { servedPolicies } from '../../schemas/raw';
import { haproxyFetchArg, haproxyLogFormatLiteral, haproxyQuote, haproxyWord, UnsafeValueError } from '../escape';
import type { AclView, PolicyView } from './view-model';

const MATCH: Record<string, string> = { REGEX: 'reg', STARTS_WITH: 'beg', ENDS_WITH: 'end', CONTAINS: 'sub', EQUAL_TO: 'str' };

/** The sample fetch a rule compares, with the flags it needs before `-m`. */
function fetchOf(r: L7Rule): string {
  const key = r.key ?? '';
  switch (r.type) {
    case 'HOST_NAME':
      // host names are case-insensitive; the port a client may add is not part of the name
      return 'req.hdr(host),host_only -i';
    case 'PATH':
      return 'path';
    case 'FILE_TYPE':
      // the text after the path's last dot; a path without a dot has no extension (empty)
      return 'path,regsub(^[^.]*$,),field(-1,.)';
    case 'HEADER':
      return `req.hdr(${haproxyFetchArg(key, 'an L7 rule key')})`;
    case 'COOKIE':
      return `req.cook(${haproxyFetchArg(key, 'an L7 rule key')})`;
    case 'SSL_DN_FIELD':
      return `ssl_c_s_dn(${haproxyFetchArg(key, 'an L7 rule key')})`;
    default:
      throw new UnsafeValueError('an L7 rule type', r.type);
  }
}

/** One rule as an ACL expression (fetch, match method, one literal pattern). */
export function ruleExpr(r: L7Rule): string {
  if (r.type === 'SSL_CONN_HAS_CERT') return 'ssl_c_used';
  if (r.type === 'SSL_VERIFY_RESULT') return `ssl_c_verify -m int eq ${haproxyWord(r.value, 'an SSL verify result')}`;
  const m = MATCH[r.compare_type];
  if (!m) throw new UnsafeValueError('an L7 compare type', r.compare_type);
  // `--` ends the flags, so a value starting with "-" stays a pattern
  return `${fetchOf(r)} -m ${m} -- ${haproxyQuote(r.value)}`;
}

/** The action a policy takes once it is the elected one. */
function directiveOf(p: L7Policy, backendOf: (poolId: string) => string): string {
  const code = p.redirect_http_code ?? 302;
  switch (p.action) {
    case 'REJECT':
      return 'http-request deny deny_status 403';
    case 'REDIRECT_TO_URL':
      return `http-request redirect location ${haproxyLogFormatLiteral(p.redirect_url ?? '')} code ${code}`;
    case 'REDIRECT_PREFIX':
      return `http-request redirect prefix ${haproxyLogFormatLiteral(p.redirect_prefix ?? '')} code ${code}`;
    case 'REDIRECT_TO_POOL':
      return `use_backend ${backendOf(p.redirect_pool_id ?? '')}`;
    default:
      throw new UnsafeValueError('an L7 action', p.action);
  }
}

/** Served policies (servedPolicies) that are enabled, in evaluation order: by position, then document order; those without enabled rules dropped. */
export function orderedPolicies(l: Listener): L7Policy[] {
  return servedPolicies(l)
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.admin_state_up && p.rules.some((r) => r.admin_state_up))
    .sort((a, b) => (a.p.position ?? Infinity) - (b.p.position ?? Infinity) || a.i - b.i)
    .map(({ p }) => p);
}

/** ACLs and policies of an HTTP-mode listener. */
export function buildL7(l: Listener, backendOf: (poolId: string) => string): { acls: AclView[]; policies: PolicyView[] } {
  const acls: AclView[] = [];
  const policies: PolicyView[] = [];
  orderedPolicies(l).forEach((p, index) => {
    const names: string[] = [];
    for (const r of p.rules.filter((x) => x.admin_state_up)) {
      const name = `rule_${haproxyWord(r.l7rule_id, 'an l7rule_id')}`;
      acls.push({ name, expr: ruleExpr(r) });
      names.push(r.invert ? `!${name}` : name);
    }
    policies.push({ index: index + 1, condition: names.join(' '), directive: directiveOf(p, backendOf) });
  });
  return { acls, policies };
}
