/**
 * The large-document generator of the benches and tests: LISTENERS HTTP
 * listeners, each with a pool of MEMBERS members (HTTP monitor, every third
 * pool with HTTP_COOKIE persistence) and, when POLICIES > 0, a second pool
 * that POLICIES REDIRECT_TO_POOL policies (PATH and HEADER rules) point to.
 * VIP 127.0.0.1, members on 127.0.x.y, ids are name-based UUIDs: the same
 * arguments always give the same document.
 * CLI: `node dist/test/lib/gen-large.js LISTENERS MEMBERS POLICIES > doc.json` (`npm run gen-large -- 1000 10 5`).
 */
import { createHash } from 'node:crypto';

/** RFC 4122 name-based UUID (version 5), as Python's uuid.uuid5. */
function uuid5(namespace: string, name: string): string {
  const h = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The generated document for LISTENERS, MEMBERS_PER_POOL, POLICIES_PER_LISTENER. */
export function genLarge(listenerCount: number, memberCount: number, policyCount: number): Record<string, unknown> {
  const u = (s: string) => uuid5('12345678-1234-5678-1234-567812345678', s);
  const pools: unknown[] = [];
  const listeners: unknown[] = [];
  for (let i = 0; i < listenerCount; i++) {
    const pid = u(`pool${i}`);
    const rpid = u(`rpool${i}`);
    const pool = (id: string, tag: string) => ({
      pool_id: id, name: tag, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN', admin_state_up: true,
      session_persistence: i % 3 === 0 ? { type: 'HTTP_COOKIE' } : null, tls_enabled: false,
      healthmonitor: {
        healthmonitor_id: u(`hm${tag}`), type: 'HTTP', delay: 5, timeout: 3, max_retries: 3, max_retries_down: 3,
        http_method: 'GET', url_path: '/health', expected_codes: '200', admin_state_up: true,
      },
      members: Array.from({ length: memberCount }, (_x, j) => ({
        member_id: u(`m${tag}-${j}`), name: `m${j}`,
        address: `127.0.${1 + (Math.floor(j / 250) % 250)}.${1 + (j % 250)}`,
        protocol_port: 10000 + j, weight: 1 + (j % 5), backup: false, admin_state_up: true, subnet_id: null,
      })),
    });
    pools.push(pool(pid, `p${i}`));
    const policies: unknown[] = [];
    if (policyCount) {
      pools.push(pool(rpid, `r${i}`));
      for (let k = 0; k < policyCount; k++) {
        policies.push({
          l7policy_id: u(`pol${i}-${k}`), name: `pol${k}`, action: 'REDIRECT_TO_POOL', position: k + 1, redirect_pool_id: rpid,
          admin_state_up: true,
          rules: [
            { l7rule_id: u(`rule${i}-${k}`), type: 'PATH', compare_type: 'STARTS_WITH', value: `/svc${k}/`, invert: false, admin_state_up: true },
            { l7rule_id: u(`hrule${i}-${k}`), type: 'HEADER', compare_type: 'EQUAL_TO', key: 'X-Tenant', value: `t${k}`, invert: k % 2 === 1, admin_state_up: true },
          ],
        });
      }
    }
    listeners.push({
      listener_id: u(`l${i}`), name: `l${i}`, protocol: 'HTTP', protocol_port: 20000 + i, admin_state_up: true,
      connection_limit: -1, default_pool_id: pid, insert_headers: { 'X-Forwarded-For': 'true' }, timeout_client_data: 50000,
      timeout_member_connect: 5000, timeout_member_data: 50000, timeout_tcp_inspect: 0, l7policies: policies, allowed_cidrs: null,
    });
  }
  return {
    schema_version: '1.0', generation: 1,
    loadbalancer: {
      loadbalancer_id: u('lb'), name: 'large', admin_state_up: true, vip_address: '127.0.0.1', additional_vips: [],
      listeners, pools, project_id: 'p'.repeat(32),
    },
  };
}

if (require.main === module) {
  const args = process.argv.slice(2).map(Number);
  if (args.length !== 3 || args.some((n) => !Number.isInteger(n) || n < 0)) {
    process.stderr.write('usage: gen-large LISTENERS MEMBERS_PER_POOL POLICIES_PER_LISTENER > doc.json\n');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(genLarge(args[0], args[1], args[2])));
}
