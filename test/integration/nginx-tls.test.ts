/**
 * Real nginx on 127.50.3.0/24 with certificates made by openssl: the right
 * certificate by SNI (one-label wildcards as haproxy), client authentication
 * with CA and CRL, SSL L7 rules and the X-SSL headers, HSTS, TLS towards
 * members with a client certificate, TLS passthrough, an encrypted key.
 */
import * as fs from 'node:fs';
import { checkCapabilities, nginxCapabilities } from '../../renderers';
import { freePort, startNginx, type RunningNginx } from '../lib/nginx-harness';
import { tempDir } from '../lib/haproxy-harness';
import { peerCertCN, request, startBackend, type Backend } from '../lib/render-backends';
import { TestPki, type Issued } from '../lib/render-certs';
import { rawDoc, rawListener, rawMember, rawPolicy, rawPool, rawRule, valid } from '../lib/render-fixtures';

const VIP = '127.50.3.1';
let dir = '';
let nx: RunningNginx;
let backends: Record<string, Backend> = {};
const ports: Record<string, number> = {};
let ca: Issued, client1: Issued, client2: Issued, strangerClient: Issued;

const container = (i: Issued, extra = {}) => ({ certificate: i.cert, private_key: i.key, intermediates: [], ...extra });

beforeAll(async () => {
  dir = tempDir('amph-ngx-pki');
  const pki = new TestPki(dir);
  ca = pki.ca('ca');
  const clientCa = pki.ca('clientca');
  pki.ca('otherca');
  const a = pki.leaf('ca', 'a', 'a.example', 'DNS:a.example');
  const b = pki.leaf('ca', 'b', 'b.example', 'DNS:b.example');
  const w = pki.leaf('ca', 'w', 'wild', 'DNS:*.w.example');
  const memberCert = pki.leaf('ca', 'member', 'member.example', 'IP:127.50.3.20');
  client1 = pki.leaf('clientca', 'client1', 'client1', 'DNS:client1', 'clientAuth');
  client2 = pki.leaf('clientca', 'client2', 'client2', 'DNS:client2', 'clientAuth');
  strangerClient = pki.leaf('otherca', 'stranger', 'client1', 'DNS:client1', 'clientAuth');
  const crl = pki.crl('clientca', ['client2']);
  const poolClient = pki.leaf('clientca', 'poolclient', 'nginx', 'DNS:nginx', 'clientAuth');
  const encrypted = pki.encryptedKey('a', 'p4ss phrase');

  const plain = await Promise.all(['plain', 'withcert', 'cn', 'nocert'].map((n, i) => startBackend(n, `127.50.3.${10 + i}`)));
  backends = Object.fromEntries(plain.map((x) => [x.id, x]));
  backends.tls = await startBackend('tls', '127.50.3.20', memberCert);
  backends.mtls = await startBackend('mtls', '127.50.3.22', { ...memberCert, ca: clientCa.cert, requestCert: true, rejectUnauthorized: true });
  for (const n of ['sni', 'mand', 'opt', 'tlsmember', 'pass', 'mtls', 'mtlsnocert']) ports[n] = await freePort(VIP);

  const pool = (id: string, be: Backend, extra = {}) => rawPool(id, [rawMember(`m-${id}`, be.address, be.port)], extra);
  const term = (id: string, extra = {}) =>
    rawListener(id, ports[id], `p-${id}`, { protocol: 'TERMINATED_HTTPS', default_tls_container_data: container(a, { private_key: encrypted, passphrase: 'p4ss phrase' }), sni_container_data: [container(b), container(w)], ...extra });
  const sslHeaders = Object.fromEntries(['X-Forwarded-Proto', 'X-SSL-Client-Verify', 'X-SSL-Client-Has-Cert', 'X-SSL-Client-DN', 'X-SSL-Client-CN', 'X-SSL-Issuer', 'X-SSL-Client-SHA1', 'X-SSL-Client-Not-Before', 'X-SSL-Client-Not-After'].map((h) => [h, 'true']));
  const rule = (id: string, type: string, value: string, extra = {}) => rawRule(id, type, 'EQUAL_TO', value, extra);
  const listeners = [
    term('sni', { insert_headers: { 'X-Forwarded-Proto': 'true' }, alpn_protocols: ['h2', 'http/1.1'], tls_versions: ['TLSv1.2', 'TLSv1.3'], hsts_max_age: 31536000, hsts_include_subdomains: true }),
    term('mand', { client_authentication: 'MANDATORY', client_ca_tls_container_data: clientCa.cert, client_crl_container_data: crl, insert_headers: sslHeaders }),
    term('opt', {
      client_authentication: 'OPTIONAL',
      client_ca_tls_container_data: clientCa.cert,
      l7policies: [
        rawPolicy('pol-cn', 'REDIRECT_TO_POOL', [rule('r-cn', 'SSL_DN_FIELD', 'client1', { key: 'CN' }), rule('r-cn-v', 'SSL_VERIFY_RESULT', '0')], { position: 1, redirect_pool_id: 'p-cn' }),
        rawPolicy('pol-cert', 'REDIRECT_TO_POOL', [rule('r-cert', 'SSL_CONN_HAS_CERT', 'True')], { position: 2, redirect_pool_id: 'p-withcert' }),
      ],
    }),
    rawListener('tlsmember', ports.tlsmember, 'p-tlsmember'),
    rawListener('pass', ports.pass, 'p-pass', { protocol: 'HTTPS' }),
    ...['mtls', 'mtlsnocert'].map((n) => rawListener(n, ports[n], `p-${n}`)),
  ];
  const pools = [
    pool('p-sni', backends.plain),
    pool('p-mand', backends.plain),
    pool('p-opt', backends.nocert),
    pool('p-cn', backends.cn),
    pool('p-withcert', backends.withcert),
    pool('p-tlsmember', backends.tls, { tls_enabled: true }),
    pool('p-pass', backends.tls, { protocol: 'HTTPS' }),
    pool('p-mtls', backends.mtls, { tls_enabled: true, tls_container_data: container(poolClient), tls_versions: ['TLSv1.2', 'TLSv1.3'], alpn_protocols: ['http/1.1'] }),
    pool('p-mtlsnocert', backends.mtls, { tls_enabled: true }),
  ];
  nx = await startNginx(rawDoc(listeners, pools, { vip_address: VIP }));
}, 60000);

afterAll(async () => {
  await nx?.stop();
  await Promise.all(Object.values(backends).map((x) => x.close()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const tlsGet = (port: number, servername: string, client?: Issued, path = '/') =>
  request(VIP, port, { path, tls: { servername, ca: ca.cert, cert: client?.cert, key: client?.key } });

test('the default certificate (with an encrypted key) and the SNI certificates are served by name; a wildcard takes one label', async () => {
  expect(await peerCertCN(VIP, ports.sni, 'a.example')).toBe('a.example');
  expect(await peerCertCN(VIP, ports.sni, 'b.example')).toBe('b.example');
  expect(await peerCertCN(VIP, ports.sni, 'x.w.example')).toBe('wild');
  expect(await peerCertCN(VIP, ports.sni, 'y.x.w.example')).toBe('a.example');
  expect(await peerCertCN(VIP, ports.sni, 'unknown.example')).toBe('a.example');
  const r = await tlsGet(ports.sni, 'b.example');
  expect([r.status, r.headers['x-member']]).toEqual([200, 'plain']);
  expect(backends.plain.seen.at(-1)?.headers['x-forwarded-proto']).toBe('https');
});

test('HSTS: Strict-Transport-Security on the served answers of the listener that sets it', async () => {
  expect((await tlsGet(ports.sni, 'a.example')).headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains;');
  expect((await tlsGet(ports.opt, 'a.example')).headers['strict-transport-security']).toBeUndefined();
});

test('MANDATORY client authentication answers 400 to no certificate, a foreign one and a revoked one (nginx refuses after the handshake)', async () => {
  for (const c of [undefined, strangerClient, client2]) {
    const r = await tlsGet(ports.mand, 'a.example', c);
    expect(r.status).toBe(400);
  }
  expect(backends.plain.seen.filter((s) => s.headers['x-ssl-client-cn'])).toEqual([]);
});

test('MANDATORY accepts a valid client certificate and passes the X-SSL headers', async () => {
  const r = await tlsGet(ports.mand, 'a.example', client1);
  expect(r.status).toBe(200);
  const h = backends.plain.seen.at(-1)!.headers;
  expect(h['x-ssl-client-verify']).toBe('0');
  expect(h['x-ssl-client-has-cert']).toBe('1');
  expect(h['x-ssl-client-cn']).toBe('client1');
  expect(h['x-ssl-client-dn']).toContain('CN=client1');
  expect(h['x-ssl-issuer']).toContain('CN=clientca');
  // nginx gives the fingerprint in lower case (haproxy: upper case; README)
  expect(h['x-ssl-client-sha1']).toMatch(/^[0-9a-f]{40}$/);
  expect(h['x-ssl-client-not-before']).toMatch(/^\d{12}Z$/);
  expect(h['x-ssl-client-not-after']).toMatch(/^\d{12}Z$/);
  const day = (d: Date) => `${String(d.getUTCFullYear()).slice(2)}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  expect(String(h['x-ssl-client-not-before']).slice(0, 6)).toBe(day(new Date(new (require('node:crypto').X509Certificate)(client1.cert).validFrom)));
});

test('OPTIONAL serves without a certificate; SSL rules route by certificate, DN field and verify result', async () => {
  expect((await tlsGet(ports.opt, 'a.example')).headers['x-member']).toBe('nocert');
  expect((await tlsGet(ports.opt, 'a.example', client1)).headers['x-member']).toBe('cn');
  expect((await tlsGet(ports.opt, 'a.example', client2)).headers['x-member']).toBe('withcert');
});

test('TLS towards members (not verified: a pool CA is refused for nginx)', async () => {
  const ok = await request(VIP, ports.tlsmember);
  expect([ok.status, ok.headers['x-member']]).toEqual([200, 'tls']);
  const withCa = rawDoc([rawListener('l', 80, 'p')], [rawPool('p', [rawMember('m', '127.50.3.20', 443)], { tls_enabled: true, ca_tls_container_data: ca.cert })]);
  expect(checkCapabilities(valid(withCa), nginxCapabilities('1.22.1'))).toEqual([
    { path: 'loadbalancer.pools[0].ca_tls_container_data', message: expect.stringMatching(/^verifying members against a CA .* is not served by nginx 1\.22\.1$/) },
  ]);
});

test('HTTPS passthrough hands the TLS connection to the member untouched', async () => {
  expect(await peerCertCN(VIP, ports.pass, 'whatever.example')).toBe('member.example');
});

test('a pool client certificate authenticates nginx to a member that requires one', async () => {
  const ok = await request(VIP, ports.mtls);
  expect([ok.status, ok.headers['x-member']]).toEqual([200, 'mtls']);
  expect((await request(VIP, ports.mtlsnocert)).status).toBe(502);
});
