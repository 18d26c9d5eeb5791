/**
 * L7 policies as nginx maps. nginx has no ACL language, and its `map`
 * compares plain strings without case, so every rule is a regular
 * expression (`~`, case-sensitive; `~*` for host names) over the value it
 * compares: 1 when it matches, else 0. The listener's election map reads all
 * its rules' bits and picks the first policy by position whose bits all
 * match (inverted rules expecting 0), as haproxy's `txn.l7policy` does.
 */
import type { L7Policy, L7Rule, Listener } from '../../schemas';
import { UnsafeValueError } from '../escape';
import { orderedPolicies } from '../haproxy/build-l7';
import { mapRegex, nginxRegexProblem, regexLiteral } from './quote';
import type { BlockRegistry } from './registry';
import { cookieVar, dnFieldVar, extVar, hasCertVar, headerVar, hostVar, pathVar, verifyVar } from './sources';

export { orderedPolicies } from '../haproxy/build-l7';

/** The variable a rule compares, and whether an empty value (an absent header, cookie, field) can never match. */
function sourceOf(r: L7Rule, reg: BlockRegistry): { variable: string; emptyNeverMatches: boolean } {
  const key = r.key ?? '';
  switch (r.type) {
    case 'HOST_NAME':
      return { variable: hostVar(reg), emptyNeverMatches: true };
    case 'PATH':
      return { variable: pathVar(reg), emptyNeverMatches: false };
    case 'FILE_TYPE':
      // haproxy's fetch yields an empty string for a path without a dot: a REGEX may match it
      return { variable: extVar(reg), emptyNeverMatches: false };
    case 'HEADER':
      return { variable: headerVar(key), emptyNeverMatches: true };
    case 'COOKIE':
      return { variable: cookieVar(reg, key), emptyNeverMatches: true };
    case 'SSL_DN_FIELD':
      return { variable: dnFieldVar(reg, key), emptyNeverMatches: true };
    case 'SSL_CONN_HAS_CERT':
      return { variable: hasCertVar(reg), emptyNeverMatches: true };
    case 'SSL_VERIFY_RESULT':
      return { variable: verifyVar(reg), emptyNeverMatches: true };
    default:
      throw new UnsafeValueError('an L7 rule type', r.type);
  }
}

/** The regular expression a rule's value and compare type stand for (the value taken literally, but for REGEX). */
export function ruleRegex(r: L7Rule): string {
  if (r.type === 'SSL_CONN_HAS_CERT') return '^1$';
  const lit = regexLiteral(r.value);
  switch (r.compare_type) {
    case 'EQUAL_TO':
      return `^${lit}$`;
    case 'STARTS_WITH':
      return `^${lit}`;
    case 'ENDS_WITH':
      return `${lit}$`;
    case 'CONTAINS':
      return lit;
    case 'REGEX': {
      const problem = nginxRegexProblem(r.value);
      if (problem) throw new UnsafeValueError('an L7 REGEX value nginx reads differently', r.value);
      return r.value;
    }
    default:
      throw new UnsafeValueError('an L7 compare type', r.compare_type);
  }
}

/**
 * One rule as a map to 1/0; returns its variable. Maps are shared: every rule
 * comparing the same value with the same pattern (on any listener) uses one
 * variable, and nginx -t pays for each map it builds (a document of 1,000
 * listeners with their own maps took seconds).
 */
function ruleMap(r: L7Rule, reg: BlockRegistry): string {
  const { variable, emptyNeverMatches } = sourceOf(r, reg);
  // host names compare without case, as haproxy's `-i`
  const re = mapRegex(ruleRegex(r), r.type === 'HOST_NAME');
  return reg.once(`rule:${variable}|${re}|${emptyNeverMatches}`, (n) => ({
    variable: `$amph_r${n}`,
    block: { head: `map ${variable} $amph_r${n}`, lines: [...(emptyNeverMatches ? ['"" 0;'] : []), `${re} 1;`, 'default 0;'] },
  }));
}

/**
 * The listener's policies in evaluation order and the variable holding the
 * 1-based index of the winner (0: none): one map over every enabled rule's bit,
 * each policy an anchored pattern of its own bits (an inverted rule expecting
 * 0) at its rules' offset; nginx tries them in order, so the first policy by
 * position whose rules all match wins.
 */
export function buildElection(l: Listener, reg: BlockRegistry): { policies: L7Policy[]; variable: string | null } {
  const policies = orderedPolicies(l);
  if (policies.length === 0) return { policies, variable: null };
  const bits: string[] = [];
  const lines: string[] = [];
  policies.forEach((p, i) => {
    const rules = p.rules.filter((r) => r.admin_state_up);
    const offset = bits.length;
    for (const r of rules) bits.push(ruleMap(r, reg));
    const want = rules.map((r) => (r.invert ? '0' : '1')).join('');
    lines.push(`${mapRegex(`^${offset ? `.{${offset}}` : ''}${want}`)} ${i + 1};`);
  });
  const name = `$amph_l7_${reg.next()}`;
  reg.add({ head: `map "${bits.join('')}" ${name}`, lines: [...lines, 'default 0;'] });
  return { policies, variable: name };
}
