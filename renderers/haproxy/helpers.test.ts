import { HAPROXY_HELPERS as H } from './helpers';
import { haproxyFetchArg, keepalivedUrlPath, keepalivedWord, UnsafeValueError } from '../escape';
import { statusCodes, vrrpRouterId } from '../keepalived/build-view';

describe('haproxy helpers', () => {
  test.each([
    [0, '0'],
    [1, '1ms'],
    [1500, '1500ms'],
    [5000, '5s'],
    [50000, '50s'],
    [60000, '60s'],
    [600000, '10m'],
    [3600000, '60m'],
    [2073600000, '34560m'],
  ])('formatDuration(%p) = %p', (ms, out) => expect(H.formatDuration(ms)).toBe(out));

  test.each([[-1], [1.5], [NaN]])('formatDuration(%p) refuses', (ms) => expect(() => H.formatDuration(ms)).toThrow(UnsafeValueError));

  test.each([
    ['192.0.2.1', 80, '192.0.2.1:80'],
    ['2001:db8::1', 443, '[2001:db8::1]:443'],
    ['::1', 1, '[::1]:1'],
    ['::ffff:192.0.2.1', 8080, '[::ffff:192.0.2.1]:8080'],
  ])('formatAddress(%p, %p) = %p', (ip, port, out) => expect(H.formatAddress(ip, port)).toBe(out));

  test.each([['host.example'], ['1.2.3.4 '], ['1.2.3.4\n']])('formatAddress(%p) refuses', (ip) => expect(() => H.formatAddress(ip, 1)).toThrow(UnsafeValueError));

  test.each([
    ['200', 'status 200'],
    ['200,202', 'rstatus ^(200|202)$'],
    ['200 , 202', 'rstatus ^(200|202)$'],
    ['200-204', 'rstatus ^(200|201|202|203|204)$'],
    ['301-301', 'rstatus ^(301)$'],
  ])('expectedCodesCheck(%p) = %p', (codes, out) => expect(H.expectedCodesCheck(codes)).toBe(out));

  test.each([['2xx'], ['200;'], ['']])('expectedCodesCheck(%p) refuses', (c) => expect(() => H.expectedCodesCheck(c)).toThrow(UnsafeValueError));

  test.each([
    [null, []],
    [[], []],
    [['TLSv1.2', 'TLSv1.3'], ['ssl-min-ver', 'TLSv1.2', 'ssl-max-ver', 'TLSv1.3']],
    [['TLSv1.3'], ['ssl-min-ver', 'TLSv1.3', 'ssl-max-ver', 'TLSv1.3']],
    [['TLSv1', 'TLSv1.2'], ['ssl-min-ver', 'TLSv1.0', 'ssl-max-ver', 'TLSv1.2']],
    [['TLSv1.3', 'SSLv3'], ['ssl-min-ver', 'SSLv3', 'ssl-max-ver', 'TLSv1.3']],
  ])('tlsVersionWords(%p) = %p', (v, out) => expect(H.tlsVersionWords(v as string[] | null)).toEqual(out));

  test.each([
    ['255.255.255.255', 32],
    ['255.255.255.0', 24],
    ['255.255.0.0', 16],
    ['0.0.0.0', 0],
    ['255.0.255.0', null],
    ['ffff::', null],
    [null, null],
  ])('netmaskToPrefix(%p) = %p', (m, out) => expect(H.netmaskToPrefix(m)).toBe(out));

  test.each([
    ['ROUND_ROBIN', 'roundrobin'],
    ['LEAST_CONNECTIONS', 'leastconn'],
    ['SOURCE_IP', 'source'],
    ['SOURCE_IP_PORT', 'hash src,concat(:,txn.lb_src_port)'],
  ])('balanceFor(%p) = %p', (a, out) => expect(H.balanceFor(a)).toBe(out));

  test('balanceFor refuses an unknown algorithm', () => expect(() => H.balanceFor('RANDOM')).toThrow(UnsafeValueError));

  test.each([
    [[1, 2, 3], 2, [[1, 2], [3]]],
    [[], 3, []],
    [[1, 2], 2, [[1, 2]]],
  ])('chunk(%p, %p)', (items, n, out) => expect(H.chunk(items, n)).toEqual(out));

  test.each([
    [null, null],
    [['h2', 'http/1.1'], 'h2,http/1.1'],
    [['http/1.0'], 'http/1.0'],
  ])('alpnList(%p) = %p', (a, out) => expect(H.alpnList(a)).toBe(out));

  test.each([
    ['plain', '"plain"'],
    ['with space', '"with space"'],
    ['a"b', '"a\\"b"'],
    ["it's", `"it's"`],
    ['50$ off ${HOME}', '"50\\$ off \\${HOME}"'],
    ['back\\slash\\n', '"back\\\\slash\\\\n"'],
    ['#not a comment', '"#not a comment"'],
    ['{ } ; &', '"{ } ; &"'],
    ['-m', '"-m"'],
  ])('quote(%p) = %s', (s, out) => expect(H.quote(s)).toBe(out));

  test.each([['a\nb'], ['a\rb'], ['a\0b'], ['\t'], ['\x7f']])('quote refuses control characters %p', (s) => expect(() => H.quote(s)).toThrow(UnsafeValueError));

  test.each([
    ['https://x.example/a%20b', '"https://x.example/a%%20b"'],
    ['https://x.example/$', '"https://x.example/\\$"'],
  ])('logFormatLiteral(%p) = %s', (s, out) => expect(H.logFormatLiteral(s)).toBe(out));

  test.each([['abc-1.2_x'], ['2001:db8::/32'], ['10.0.0.0/8']])('word(%p) passes', (s) => expect(H.word(s, 'x')).toBe(s));
  test.each([['a b'], ['a#b'], ['a"b'], ["a'b"], ['a\\b'], [''], ['a$b'], ['a{b']])('word(%p) refuses', (s) => expect(() => H.word(s, 'x')).toThrow(UnsafeValueError));

  test.each([['X-Custom'], ['a!&*+.^_~-z']])('haproxyFetchArg(%p) passes', (s) => expect(haproxyFetchArg(s, 'x')).toBe(s));
  test.each([['a,b'], ['a)b'], ['a(b'], ['a b'], ['a"b'], ['']])('haproxyFetchArg(%p) refuses', (s) => expect(() => haproxyFetchArg(s, 'x')).toThrow(UnsafeValueError));
});

describe('keepalived helpers', () => {
  test.each([
    ['/', '/'],
    ['/health?x=1&y=(2)', '/health?x=1&y=(2)'],
    ['/a!b', '/a%21b'],
    ['/a#b$c', '/a%23b%24c'],
    ["/a'b\"c", '/a%27b%22c'],
    ['/a b;{}', '/a%20b%3B%7B%7D'],
  ])('keepalivedUrlPath(%p) = %p', (p, out) => expect(keepalivedUrlPath(p)).toBe(out));
  test.each([['a b'], ['a#b'], ['a!b'], ['a"b'], ['']])('keepalivedWord(%p) refuses', (s) => expect(() => keepalivedWord(s, 'x')).toThrow(UnsafeValueError));
  test.each([
    ['200', '200'],
    ['200,202', '200 202'],
    ['200 , 202', '200 202'],
    ['200-204', '200-204'],
  ])('statusCodes(%p) = %p', (c, out) => expect(statusCodes(c)).toBe(out));
  test('vrrpRouterId is stable and in 1..255', () => {
    const ids = ['a', 'lb-1', '116c327a-31b0-52c0-99c6-fd5a21c5f57b'].map(vrrpRouterId);
    expect(ids).toEqual(['a', 'lb-1', '116c327a-31b0-52c0-99c6-fd5a21c5f57b'].map(vrrpRouterId));
    for (const id of ids) expect(id >= 1 && id <= 255).toBe(true);
  });
});
