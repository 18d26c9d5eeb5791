/** The nginx view-model helpers, table style. */
import { UnsafeValueError } from '../escape';
import { NGINX_HELPERS as H, NO_TIMEOUT } from './helpers';

test.each([
  [0, NO_TIMEOUT],
  [1, '1ms'],
  [1500, '1500ms'],
  [5000, '5s'],
  [60000, '60s'],
  [600000, '10m'],
  [3600000, '60m'],
  [2073600000, '34560m'],
])('formatTime(%p) = %p', (ms, want) => expect(H.formatTime(ms)).toBe(want));

test.each([-1, 1.5, 2147483648])('formatTime(%p) refuses', (ms) => expect(() => H.formatTime(ms)).toThrow(UnsafeValueError));

test.each([
  [0, 0, 0],
  [0, 5, 5],
  [7, 0, 7],
  [3600000, 50000, 50000],
])('shorterTimeout(%p, %p) = %p', (a, b, want) => expect(H.shorterTimeout(a, b)).toBe(want));

test.each([
  ['127.0.0.1', 80, '127.0.0.1:80'],
  ['::1', 443, '[::1]:443'],
  ['2001:db8::20', 8443, '[2001:db8::20]:8443'],
])('formatAddress(%p, %p) = %p', (ip, port, want) => expect(H.formatAddress(ip, port)).toBe(want));

test.each([['host', 80], ['1.2.3.4', 0], ['1.2.3.4', 65536], ['1.2.3.4;', 80]])('formatAddress(%p, %p) refuses', (ip, port) => {
  expect(() => H.formatAddress(ip, port)).toThrow(UnsafeValueError);
});

test.each([
  [null, null],
  [[], null],
  [['TLSv1.2'], 'TLSv1.2'],
  [['TLSv1.3', 'TLSv1.2'], 'TLSv1.3 TLSv1.2'],
  [['TLSv1', 'TLSv1.2'], 'TLSv1 TLSv1.2'],
])('tlsProtocols(%p) = %p (exactly the versions listed: nginx takes a list)', (v, want) => expect(H.tlsProtocols(v as string[] | null)).toBe(want));

test.each([
  ['255.255.255.255', 32],
  ['255.255.255.0', 24],
  ['255.255.0.0', 16],
  ['255.255.255.128', 25],
  ['0.0.0.0', 0],
  ['255.0.255.0', null],
  ['::1', null],
  [null, null],
])('netmaskPrefix(%p) = %p', (m, want) => expect(H.netmaskPrefix(m)).toBe(want));

test.each([
  [null, '$remote_addr'],
  ['255.255.255.255', '$remote_addr'],
  ['255.255.255.0', '$amph_src24'],
  ['255.255.0.0', '$amph_src16'],
  ['255.255.255.128', null],
  ['255.0.255.0', null],
])('sourceHashKey(%p) = %p', (g, want) => expect(H.sourceHashKey(g)).toBe(want));

test('sourceMaskBlock(24) keeps the first three octets of an IPv4 client and an IPv6 client whole', () => {
  const b = H.sourceMaskBlock(24);
  expect(b.head).toBe('map $remote_addr $amph_src24');
  const re = new RegExp(JSON.parse(b.lines[0].split(' ')[0]).slice(1).replace(/\(\?<\w+>/, '('));
  expect(re.exec('192.0.2.77')?.[1]).toBe('192.0.2');
  expect(re.exec('2001:db8::1')).toBeNull();
  expect(b.lines).toContain('default $remote_addr;');
});

test('setCookie quotes name, value, Max-Age and Path', () => {
  expect(H.setCookie('SRV', 'm1', 360)).toBe('"SRV=m1; Max-Age=360; Path=/"');
});

test('cipherList keeps an OpenSSL cipher string as one word and refuses anything else', () => {
  expect(H.cipherList('ECDHE-RSA-AES128-GCM-SHA256:!aNULL')).toBe('ECDHE-RSA-AES128-GCM-SHA256:!aNULL');
  expect(H.cipherList(null)).toBeNull();
  expect(() => H.cipherList('HIGH; evil')).toThrow(UnsafeValueError);
});
