/**
 * Real haproxy on 127.10.4.0/24 with certificates made by openssl: the right
 * certificate by SNI, client authentication with CA and CRL, SSL L7 rules and
 * headers, TLS towards members, TLS passthrough, an encrypted key.
 */
import * as fs from 'node:fs';
import { startHaproxy, freePort, serverStatus, tempDir, waitFor, type RunningHaproxy } from '../lib/haproxy-harness';
import { peerCertCN, request, startBackend, type Backend } from '../lib/render-backends';
import { TestPki, type Issued } from '../lib/render-certs';
import { rawDoc, rawListener, rawMember, rawPolicy, rawPool, rawRule } from '../lib/render-fixtures';

const VIP = '127.10.4.1';
let dir = '';
let hx: RunningHaproxy;
let backends: Record<string, Backend> = {};
const ports: Record<string, number> = {};
let ca: Issued, client1: Issued, client2: Issued, strangerClient: Issued;

const container = (i: Issued, extra = {}) => ({ certificate: i.cert, private_key: i.key, intermediates: [], ...extra });

beforeAll(async () => {
  dir = tempDir('amphora-pki');
  const pki = new TestPki(dir);
  ca = pki.ca('ca');
  const clientCa = pki.ca('clientca');
  pki.ca('otherca');
  const a = pki.leaf('ca', 'a', 'a.example', 'DNS:a.example');
  const b = pki.leaf('ca', 'b', 'b.example', 'DNS:b.example');
  const memberCert = pki.leaf('ca', 'member', 'member.example', 'IP:127.10.4.20');
  const badMember = pki.leaf('otherca', 'badmember', 'bad.example', 'IP:127.10.4.21');
  client1 = pki.leaf('clientca', 'client1', 'client1', 'DNS:client1', 'clientAuth');
  client2 = pki.leaf('clientca', 'client2', 'client2', 'DNS:client2', 'clientAuth');
  strangerClient = pki.leaf('otherca', 'stranger', 'client1', 'DNS:client1', 'clientAuth');
  const crl = pki.crl('clientca', ['client2']);
  const revokedMember = pki.leaf('ca', 'revoked', 'revoked.example', 'IP:127.10.4.23');
  const caCrl = pki.crl('ca', ['revoked']);
  const poolClient = pki.leaf('clientca', 'poolclient', 'haproxy', 'DNS:haproxy', 'clientAuth');
  const encrypted = pki.encryptedKey('a', 'p4ss phrase');

  const plain = await Promise.all(['plain', 'withcert', 'cn', 'verify0', 'nocert'].map((n, i) => startBackend(n, `127.10.4.${10 + i}`)));
  backends = Object.fromEntries(plain.map((x) => [x.id, x]));
  backends.tls = await startBackend('tls', '127.10.4.20', memberCert);
  backends.bad = await startBackend('bad', '127.10.4.21', badMember);
  backends.mtls = await startBackend('mtls', '127.10.4.22', { ...memberCert, ca: clientCa.cert, requestCert: true, rejectUnauthorized: true });
  backends.revoked = await startBackend('revoked', '127.10.4.23', revokedMember);
  for (const n of ['sni', 'mand', 'opt', 'tlsmember', 'badmember', 'pass', 'hello', 'helloplain', 'mtls', 'mtlsnocert', 'crlok', 'crlrevoked']) ports[n] = await freePort(VIP);

  const pool = (id: string, b: Backend, extra = {}) => rawPool(id, [rawMember(`m-${id}`, b.address, b.port)], extra);
  const term = (id: string, extra = {}) =>
    rawListener(id, ports[id], `p-${id}`, { protocol: 'TERMINATED_HTTPS', default_tls_container_data: container(a, { private_key: encrypted, passphrase: 'p4ss phrase' }), sni_container_data: [container(b)], ...extra });
  const sslHeaders = Object.fromEntries(['X-Forwarded-Proto', 'X-SSL-Client-Verify', 'X-SSL-Client-Has-Cert', 'X-SSL-Client-DN', 'X-SSL-Client-CN', 'X-SSL-Issuer', 'X-SSL-Client-SHA1', 'X-SSL-Client-Not-Before', 'X-SSL-Client-Not-After'].map((h) => [h, 'true']));
  const rule = (id: string, type: string, value: string, extra = {}) => rawRule(id, type, 'EQUAL_TO', value, extra);
  const listeners = [
    term('sni', { insert_headers: { 'X-Forwarded-Proto': 'true' }, alpn_protocols: ['http/1.1'], tls_versions: ['TLSv1.2', 'TLSv1.3'] }),
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
    rawListener('badmember', ports.badmember, 'p-badmember'),
    rawListener('pass', ports.pass, 'p-pass', { protocol: 'HTTPS' }),
    rawListener('hello', ports.hello, 'p-hello', { protocol: 'HTTPS' }),
    rawListener('helloplain', ports.helloplain, 'p-helloplain', { protocol: 'TCP' }),
    ...['mtls', 'mtlsnocert', 'crlok', 'crlrevoked'].map((n) => rawListener(n, ports[n], `p-${n}`)),
  ];
  let hmN = 0;
  const monitor = (type: string, extra = {}) => ({ healthmonitor_id: `hm-${hmN++}`, type, delay: 1, timeout: 1, max_retries: 1, max_retries_down: 1, ...extra });
  const pools = [
    pool('p-sni', backends.plain),
    pool('p-mand', backends.plain),
    pool('p-opt', backends.nocert),
    pool('p-cn', backends.cn),
    pool('p-withcert', backends.withcert),
    pool('p-tlsmember', backends.tls, { tls_enabled: true, ca_tls_container_data: ca.cert, healthmonitor: monitor('HTTPS', { url_path: '/tls-health' }) }),
    pool('p-badmember', backends.bad, { tls_enabled: true, ca_tls_container_data: ca.cert }),
    pool('p-pass', backends.tls, { protocol: 'HTTPS', healthmonitor: monitor('HTTPS', { url_path: '/pass-health', http_version: 1.1, domain_name: 'member.example' }) }),
    pool('p-hello', backends.tls, { protocol: 'HTTPS', healthmonitor: monitor('TLS-HELLO') }),
    pool('p-helloplain', backends.plain, { protocol: 'TCP', healthmonitor: monitor('TLS-HELLO') }),
    pool('p-mtls', backends.mtls, { tls_enabled: true, ca_tls_container_data: ca.cert, tls_container_data: container(poolClient), tls_versions: ['TLSv1.2', 'TLSv1.3'], alpn_protocols: ['http/1.1'] }),
    pool('p-mtlsnocert', backends.mtls, { tls_enabled: true, ca_tls_container_data: ca.cert }),
    pool('p-crlok', backends.tls, { tls_enabled: true, ca_tls_container_data: ca.cert, crl_container_data: caCrl }),
    pool('p-crlrevoked', backends.revoked, { tls_enabled: true, ca_tls_container_data: ca.cert, crl_container_data: caCrl }),
  ];
  hx = await startHaproxy(rawDoc(listeners, pools, { vip_address: VIP }));
}, 60000);

afterAll(async () => {
  await hx?.stop();
  await Promise.all(Object.values(backends).map((b) => b.close()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const tlsGet = (port: number, servername: string, client?: Issued, path = '/') =>
  request(VIP, port, { path, tls: { servername, ca: ca.cert, cert: client?.cert, key: client?.key } });

test('the default certificate (with an encrypted key) and the SNI certificate are served by name', async () => {
  expect(await peerCertCN(VIP, ports.sni, 'a.example')).toBe('a.example');
  expect(await peerCertCN(VIP, ports.sni, 'b.example')).toBe('b.example');
  expect(await peerCertCN(VIP, ports.sni, 'unknown.example')).toBe('a.example');
  const r = await tlsGet(ports.sni, 'b.example');
  expect([r.status, r.headers['x-member']]).toEqual([200, 'plain']);
  expect(backends.plain.seen.at(-1)?.headers['x-forwarded-proto']).toBe('https');
});

test('MANDATORY client authentication refuses no certificate, a foreign one and a revoked one', async () => {
  await expect(tlsGet(ports.mand, 'a.example')).rejects.toThrow();
  await expect(tlsGet(ports.mand, 'a.example', strangerClient)).rejects.toThrow();
  await expect(tlsGet(ports.mand, 'a.example', client2)).rejects.toThrow();
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
  expect(h['x-ssl-client-sha1']).toMatch(/^[0-9A-F]{40}$/);
  expect(h['x-ssl-client-not-before']).toMatch(/^\d{12}Z$/);
  expect(h['x-ssl-client-not-after']).toMatch(/^\d{12}Z$/);
});

test('OPTIONAL serves without a certificate; SSL rules route by certificate, DN field and verify result', async () => {
  expect((await tlsGet(ports.opt, 'a.example')).headers['x-member']).toBe('nocert');
  expect((await tlsGet(ports.opt, 'a.example', client1)).headers['x-member']).toBe('cn');
  expect((await tlsGet(ports.opt, 'a.example', client2)).headers['x-member']).toBe('withcert');
});

test('TLS towards members verifies them with the pool CA', async () => {
  const ok = await request(VIP, ports.tlsmember);
  expect([ok.status, ok.headers['x-member']]).toEqual([200, 'tls']);
  expect((await request(VIP, ports.badmember)).status).toBe(503);
});

test('HTTPS passthrough hands the TLS connection to the member untouched', async () => {
  expect(await peerCertCN(VIP, ports.pass, 'whatever.example')).toBe('member.example');
});

test('HTTPS monitors check over TLS (verified with the pool CA, or not verified on a plain pool), with method, path and Host', async () => {
  await waitFor(async () => {
    const st = await serverStatus(hx.sock);
    return st['p-tlsmember:tlsmember/m-p-tlsmember'] === 'UP' && st['p-pass:pass/m-p-pass'] === 'UP';
  }, 10000, 'HTTPS checks up');
  const checks = backends.tls.seen.filter((s) => s.path.endsWith('-health'));
  expect(checks.some((s) => s.path === '/tls-health' && s.method === 'GET')).toBe(true);
  expect(checks.some((s) => s.path === '/pass-health' && s.headers.host === 'member.example')).toBe(true);
});

test('a TLS-HELLO monitor marks a TLS member up and a plain one down', async () => {
  await waitFor(async () => {
    const st = await serverStatus(hx.sock);
    return st['p-hello:hello/m-p-hello'] === 'UP' && st['p-helloplain:helloplain/m-p-helloplain'] === 'DOWN';
  }, 10000, 'TLS-HELLO checks');
});

test('a pool client certificate authenticates haproxy to a member that requires one', async () => {
  const ok = await request(VIP, ports.mtls);
  expect([ok.status, ok.headers['x-member']]).toEqual([200, 'mtls']);
  // with TLS 1.3 the member refuses after the handshake: 502 rather than 503
  expect([502, 503]).toContain((await request(VIP, ports.mtlsnocert)).status);
});

test('a pool CRL refuses a revoked member and keeps the others', async () => {
  expect((await request(VIP, ports.crlok)).headers['x-member']).toBe('tls');
  expect((await request(VIP, ports.crlrevoked)).status).toBe(503);
});
