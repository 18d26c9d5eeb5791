/**
 * Test-only documents: the contract's examples, and one "full" document that
 * sets every optional string field of the schema at least once (built on the
 * terminated-https-l7 example and a test PKI), so tables of hostile values
 * can reach every field.
 */
import { loadExample } from '../../test/lib/examples';
import type { TestPki } from './pki';

/** A deep copy of a JSON value. */
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The terminated-https-l7 example with every optional string field filled in. */
export function fullDocument(pki: TestPki): any {
  const doc = loadExample('terminated-https-l7');
  const lb = doc.loadbalancer;
  Object.assign(lb, { description: 'the shop', vip_qos_policy_id: 'b0e1c7a4-3f0e-4c57-9a1d-6a3d3c1f0a01', availability_zone: 'az-1', vip_sg_ids: ['9a4e2c1b-5d6f-4a8b-9c0d-1e2f3a4b5c6d'] });
  Object.assign(lb.additional_vips[0], { network_id: '7c5a6b5e-8f43-4a8e-9d0f-1b2c3d4e5f60', port_id: 'c2d9a8b7-1e2f-4a3b-8c4d-5e6f7a8b9c0d' });
  const [https, http] = lb.listeners;
  const [shop, api] = lb.pools;
  Object.assign(https, {
    description: 'public https',
    tls_ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
    client_ca_tls_container_ref: 'https://secrets.example/containers/client-ca',
    client_crl_container_ref: 'https://secrets.example/containers/client-crl',
    client_crl_container_data: pki.crl,
    hsts_max_age: 31536000,
    hsts_include_subdomains: true,
    hsts_preload: true,
  });
  https.sni_container_data.push({
    id: '0123456789abcdef0123456789abcdef01234567',
    certificate: pki.leafCert,
    // an unencrypted key opens with any passphrase; the encrypted ones are in pem.test.ts (PBKDF2 is slow by design)
    private_key: pki.leafKey,
    passphrase: pki.passphrase,
    primary_cn: 'www.example.test',
    intermediates: [pki.caCert],
  });
  https.sni_container_refs.push('https://secrets.example/containers/test');
  Object.assign(shop, {
    description: 'shop backends',
    listener_id: https.listener_id,
    tls_container_ref: 'https://secrets.example/containers/client',
    tls_container_data: { id: 'fedcba9876543210fedcba9876543210fedcba98', certificate: pki.leafCert, private_key: pki.leafKey, intermediates: [], passphrase: null, primary_cn: 'www.example.test' },
    ca_tls_container_ref: 'https://secrets.example/containers/ca',
    crl_container_ref: 'https://secrets.example/containers/crl',
    crl_container_data: pki.crl,
    healthmonitor: {
      healthmonitor_id: '5d2c7e0a-9b1f-4e3d-8a6c-2f4b6d8e0a1c',
      name: 'shop-hm',
      pool_id: shop.pool_id,
      project_id: shop.project_id,
      type: 'HTTPS',
      delay: 5,
      timeout: 3,
      max_retries: 3,
      max_retries_down: 3,
      http_method: 'HEAD',
      url_path: '/health?full=1',
      expected_codes: '200,204',
      http_version: 1.1,
      domain_name: 'shop.example.com',
      admin_state_up: true,
    },
  });
  shop.members.forEach((m: any, i: number) => Object.assign(m, { pool_id: shop.pool_id, monitor_address: `192.0.2.${91 + i}`, monitor_port: 9100, subnet_id: 'e67f16e5-833a-5b95-8f9b-b69eb58b37aa', vnic_type: 'normal' }));
  api.session_persistence.persistence_granularity = '255.255.255.0';
  https.default_pool = clone(shop);
  for (const l of [https, http]) {
    for (const p of l.l7policies) {
      Object.assign(p, { description: `policy ${p.name}`, listener_id: l.listener_id });
      for (const r of p.rules) r.l7policy_id = p.l7policy_id;
    }
  }
  return doc;
}

/** A string leaf of a JSON document: its path (document keys) and value. */
export interface Leaf {
  path: (string | number)[];
  value: string;
}

/** Every string leaf of `v`, depth first. */
export function stringLeaves(v: unknown, path: (string | number)[] = []): Leaf[] {
  if (typeof v === 'string') return [{ path, value: v }];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringLeaves(x, [...path, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => stringLeaves(x, [...path, k]));
  return [];
}

/** Sets the value at `path` in `doc` (mutates). */
export function setAt(doc: any, path: (string | number)[], value: unknown): void {
  let o = doc;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]] = value;
}

/** The field name of a leaf: its last key that is not an array index. */
export function fieldOf(path: (string | number)[]): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return '';
}
