import { REDACTED, redactDocument, redactFiles } from './redact';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n';
const EC_KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('redaction', () => {
  it('replaces private_key and passphrase at any depth, keeps certificates and nulls', () => {
    const doc = { a: [{ tls: { certificate: CERT, private_key: KEY, passphrase: 'pw' } }, { private_key: null }] };
    expect(redactDocument(doc)).toEqual({ a: [{ tls: { certificate: CERT, private_key: REDACTED, passphrase: REDACTED } }, { private_key: null }] });
    expect((doc.a[0] as { tls: { private_key: string } }).tls.private_key).toBe(KEY);
  });
  it('replaces secret files whole and cuts key blocks out of the others', () => {
    const out = redactFiles({ 'haproxy.cfg': 'global\n', 'certs/a.pem': CERT + KEY, 'other.pem': CERT + EC_KEY }, ['certs/a.pem']);
    expect(out).toEqual({ 'haproxy.cfg': 'global\n', 'certs/a.pem': REDACTED, 'other.pem': CERT + REDACTED });
  });
});
