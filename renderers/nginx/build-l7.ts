/**
 * L7 policies as nginx maps. nginx has no ACL language, and its `map`
 * compares plain strings without case, so every rule is a regular
 * expression (`~`, case-sensitive; `~*` for host names) over the value it
 * compares: 1 when it matches, else 0. A policy is a map over its rules' bits
 * (inverted rules expecting 0); the listener's election map picks the first
 * policy by position whose bits all match, as haproxy's `txn.l7policy` does.
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

/** One rule as a map to 1/0; returns its variable. */
function ruleMap(r: L7Rule, reg: BlockRegistry): string {
  const { variable, emptyNeverMatches } = sourceOf(r, reg);
  const name = `$amph_r${reg.next()}`;
  // host names compare without case, as haproxy's `-i`
  const re = mapRegex(ruleRegex(r), r.type === 'HOST_NAME');
  reg.add({ head: `map ${variable} ${name}`, lines: [...(emptyNeverMatches ? ['"" 0;'] : []), `${re} 1;`, 'default 0;'] });
  return name;
}

/** One policy's match as a map over its enabled rules' bits; returns its variable. */
function policyMap(p: L7Policy, reg: BlockRegistry): string {
  const rules = p.rules.filter((r) => r.admin_state_up);
  const bits = rules.map((r) => ruleMap(r, reg));
  const want = rules.map((r) => (r.invert ? '0' : '1')).join('');
  const name = `$amph_p${reg.next()}`;
  reg.add({ head: `map "${bits.join('')}" ${name}`, lines: [`"${want}" 1;`, 'default 0;'] });
  return name;
}

/** The listener's policies in evaluation order and the variable holding the 1-based index of the winner (0: none). */
export function buildElection(l: Listener, reg: BlockRegistry): { policies: L7Policy[]; variable: string | null } {
  const policies = orderedPolicies(l);
  if (policies.length === 0) return { policies, variable: null };
  const matches = policies.map((p) => policyMap(p, reg));
  const name = `$amph_l7_${reg.next()}`;
  // "~^0*1" alternatives in order: the first policy whose bit is 1 wins
  const lines = policies.map((_, i) => `${mapRegex(`^${'0'.repeat(i)}1`)} ${i + 1};`);
  reg.add({ head: `map "${matches.join('')}" ${name}`, lines: [...lines, 'default 0;'] });
  return { policies, variable: name };
}
