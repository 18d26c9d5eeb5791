/** Cross-field rules of L7 policies and rules (which fields an action or a rule type needs, and what its value may be). */
import { COOKIE_VALUE, DN_FIELD, HTTP_TOKEN, regexProblem } from './patterns';
import * as E from './enums';
import { IssuePath, Obj, RawIssue, valid } from './raw';

const ACTION_FIELD: Record<Exclude<E.L7Action, 'REJECT'>, string> = {
  REDIRECT_TO_POOL: 'redirect_pool_id',
  REDIRECT_TO_URL: 'redirect_url',
  REDIRECT_PREFIX: 'redirect_prefix',
};
const REDIRECT_FIELDS = Object.values(ACTION_FIELD);

/** A policy names exactly the target its action needs, and no other. */
export function checkPolicy(pol: Obj, pp: IssuePath, out: RawIssue[]): void {
  const action = valid(E.L7_ACTIONS, pol.action);
  if (!action) return;
  const field = action === 'REJECT' ? undefined : ACTION_FIELD[action];
  if (field && (pol[field] == null || pol[field] === '')) out.push({ path: [...pp, field], message: `is required for a ${action} policy` });
  for (const f of REDIRECT_FIELDS) {
    if (f !== field && pol[f] != null) out.push({ path: [...pp, f], message: `must be null for a ${action} policy` });
  }
}

/** Positions order the policies, so two policies of one listener may not share one. */
export function checkPolicyPositions(policies: Obj[], lp: IssuePath, out: RawIssue[]): void {
  const seen = new Map<number, number>();
  policies.forEach((pol, j) => {
    if (typeof pol.position !== 'number') return;
    const first = seen.get(pol.position);
    if (first !== undefined) out.push({ path: [...lp, 'l7policies', j, 'position'], message: `is also the position of l7policies[${first}]` });
    else seen.set(pol.position, j);
  });
}

/** Key, compare type and value of one rule, as its type requires (Octavia's l7rule_data and SSL rule checks). */
export function checkRule(r: Obj, rp: IssuePath, out: RawIssue[]): void {
  const type = valid(E.L7_RULE_TYPES, r.type);
  const cmp = valid(E.L7_COMPARE_TYPES, r.compare_type);
  // a type or compare type the field rules refused leaves these rules nothing to say
  if (!type || !cmp) return;
  const value = typeof r.value === 'string' ? r.value : '';
  const key = r.key;
  const add = (f: string, message: string) => out.push({ path: [...rp, f], message });
  // a key that fails the field pattern is reported by the field rules
  const keyIsToken = typeof key === 'string' && HTTP_TOKEN.test(key);
  if (type === 'HEADER' || type === 'COOKIE') {
    if (key == null || key === '') add('key', `is required for a ${type} rule`);
  } else if (type === 'SSL_DN_FIELD') {
    if (key == null || key === '') add('key', 'is required for an SSL_DN_FIELD rule');
    else if (keyIsToken && !DN_FIELD.test(key as string)) add('key', 'must be a distinguished-name field such as CN or OU');
  } else if (key != null && key !== '') {
    add('key', `must be null for a ${type} rule`);
  }
  const badRegex = cmp === 'REGEX' && value ? regexProblem(value) : null;
  if (badRegex) add('value', badRegex);
  if (type === 'FILE_TYPE' && cmp !== 'REGEX' && cmp !== 'EQUAL_TO') add('compare_type', 'must be REGEX or EQUAL_TO for a FILE_TYPE rule');
  if (type === 'COOKIE' && cmp !== 'REGEX' && value && !COOKIE_VALUE.test(value)) add('value', 'must be a cookie value (no spaces, quotes, "," ";" or "\\")');
  if (type === 'SSL_CONN_HAS_CERT') {
    if (cmp !== 'EQUAL_TO') add('compare_type', 'must be EQUAL_TO for an SSL_CONN_HAS_CERT rule');
    if (value && value.toLowerCase() !== 'true') add('value', 'must be "True" for an SSL_CONN_HAS_CERT rule (use invert for no certificate)');
  }
  if (type === 'SSL_VERIFY_RESULT') {
    if (cmp !== 'EQUAL_TO') add('compare_type', 'must be EQUAL_TO for an SSL_VERIFY_RESULT rule');
    if (value && !/^\d{1,9}$/.test(value)) add('value', 'must be a non-negative integer (an OpenSSL verify result code)');
  }
}
