/**
 * How long validateDocument takes: each contract example, and generated
 * documents of the shape of /work/shared/bench/gen_large.py (1,000 HTTP
 * listeners with their pools, members, monitors and L7 policies).
 * `node dist/bench/validate.bench.js [--json]`
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { printHeader, runScenario } from './lib/runbench';
import { validateDocument } from '../schemas';

const EXAMPLES = path.resolve(__dirname, '../../../shared/contract/examples');
const GEN_LARGE = path.resolve(__dirname, '../../../shared/bench/gen_large.py');

/** RFC 4122 name-based UUID (version 5), as Python's uuid.uuid5. */
function uuid5(namespace: string, name: string): string {
  const h = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The document gen_large.py writes for LISTENERS, MEMBERS_PER_POOL, POLICIES_PER_LISTENER (same keys, same order). */
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

/** True when gen_large.py (if present) writes the same document. */
function sameAsPython(args: [number, number, number], doc: unknown): string {
  if (!fs.existsSync(GEN_LARGE)) return 'gen_large.py absent';
  try {
    const py = execFileSync('/usr/bin/python3', [GEN_LARGE, ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 30 });
    return JSON.stringify(JSON.parse(py)) === JSON.stringify(doc) ? 'yes' : 'NO';
  } catch {
    return 'python3 failed';
  }
}

const count = (doc: any) => {
  const lb = doc.loadbalancer;
  const members = lb.pools.reduce((n: number, p: any) => n + p.members.length, 0);
  const policies = lb.listeners.reduce((n: number, l: any) => n + l.l7policies.length, 0);
  return `${lb.listeners.length} listeners, ${lb.pools.length} pools, ${members} members, ${policies} policies`;
};

function mustValidate(name: string, doc: unknown): void {
  const r = validateDocument(doc);
  if (!r.ok) throw new Error(`${name} does not validate: ${JSON.stringify(r.errors.slice(0, 3))}`);
}

async function main(): Promise<void> {
  printHeader('validate');
  for (const f of fs.readdirSync(EXAMPLES).filter((n) => n.endsWith('.json')).sort()) {
    const doc = JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
    mustValidate(f, doc);
    await runScenario({ name: `example ${f}`, runs: 50, fn: () => validateDocument(doc), extra: () => ({ bytes: JSON.stringify(doc).length }) });
  }
  const shapes: [string, [number, number, number]][] = [
    ['large 1000 listeners x 10 members, no L7', [1000, 10, 0]],
    ['large gen_large.py 1000 10 5', [1000, 10, 5]],
  ];
  for (const [name, args] of shapes) {
    const doc = genLarge(...args);
    mustValidate(name, doc);
    const same = sameAsPython(args, doc);
    await runScenario({ name, runs: 10, fn: () => validateDocument(doc), extra: () => ({ shape: `"${count(doc)}"`, bytes: JSON.stringify(doc).length, same_as_gen_large_py: same }) });
  }
  // every listener broken twice: the cost of reporting thousands of errors at once
  const broken: any = genLarge(1000, 10, 5);
  for (const l of broken.loadbalancer.listeners) {
    l.protocol_port = 70000;
    l.l7policies[0].rules[0].value = 'bad\nvalue';
  }
  const errors = (() => {
    const r = validateDocument(broken);
    return r.ok ? 0 : r.errors.length;
  })();
  await runScenario({ name: 'large 1000 10 5 with 2000 errors', runs: 10, fn: () => validateDocument(broken), extra: () => ({ errors }) });
  // TLS on every listener, one shared certificate: parsed once per call
  const tls: any = genLarge(1000, 10, 0);
  const example = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'terminated-https-l7.json'), 'utf8'));
  const container = example.loadbalancer.listeners[0].default_tls_container_data;
  for (const l of tls.loadbalancer.listeners) Object.assign(l, { protocol: 'TERMINATED_HTTPS', default_tls_container_data: container });
  mustValidate('tls', tls);
  await runScenario({ name: 'large 1000 TERMINATED_HTTPS, one shared cert', runs: 10, fn: () => validateDocument(tls) });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
