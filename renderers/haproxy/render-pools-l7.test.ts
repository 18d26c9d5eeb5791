/** What the haproxy renderer writes for pools, health monitors and L7 policies (no processes: see test/integration). */
import { basic, cfgOf, exampleTls, m1, m2, rawDoc, rawListener, rawMember, rawPolicy, rawPool, rawRule, section } from '../../test/lib/render-fixtures';

describe('pools', () => {
  test.each([
    ['ROUND_ROBIN', 'balance roundrobin'],
    ['LEAST_CONNECTIONS', 'balance leastconn'],
    ['SOURCE_IP', 'balance source'],
    ['SOURCE_IP_PORT', 'balance hash src,concat(:,txn.lb_src_port)'],
  ])('%s -> %s', (alg, line) => {
    const be = section(cfgOf(basic({ lb_algorithm: alg })), 'backend p1:l1');
    expect(be).toContain(line);
    if (alg === 'SOURCE_IP_PORT') expect(be).toContain('tcp-request content set-var(txn.lb_src_port) src_port');
  });
  test('weights (0 included), backup with allbackups, monitor address and port', () => {
    const members = [rawMember('a', '192.0.2.1', 80, { weight: 0 }), rawMember('b', '192.0.2.2', 80, { weight: 256, backup: true, monitor_address: '192.0.2.9', monitor_port: 9000 })];
    const be = section(cfgOf(basic({ healthmonitor: { healthmonitor_id: 'h', type: 'TCP', delay: 3, timeout: 2, max_retries: 2, max_retries_down: 4 } }, {}, members)), 'backend p1:l1');
    expect(be).toContain('option allbackups');
    expect(be).toContain('server a 192.0.2.1:80 weight 0 check inter 3s fall 4 rise 2');
    expect(be).toContain('server b 192.0.2.2:80 weight 256 check inter 3s fall 4 rise 2 addr 192.0.2.9 port 9000 backup');
  });
  test.each([
    ['PROXY', 'send-proxy'],
    ['PROXYV2', 'send-proxy-v2'],
  ])('%s pools send the PROXY header', (proto, word) => {
    const be = section(cfgOf(basic({ protocol: proto })), 'backend p1:l1');
    expect(be.filter((l) => l.startsWith('server ')).every((l) => l.split(' ').includes(word))).toBe(true);
  });
  test('SOURCE_IP persistence: stick table with the timeout, granularity as a mask', () => {
    const be = section(cfgOf(basic({ session_persistence: { type: 'SOURCE_IP', persistence_timeout: 120, persistence_granularity: '255.255.255.0' } })), 'backend p1:l1');
    expect(be).toEqual(expect.arrayContaining(['stick-table type ip size 10k expire 120s', 'stick on src,ipmask(24)']));
  });
  test('HTTP_COOKIE persistence: an inserted cookie naming the member', () => {
    const be = section(cfgOf(basic({ session_persistence: { type: 'HTTP_COOKIE' } })), 'backend p1:l1');
    expect(be).toContain('cookie SRV insert indirect nocache maxidle 360s');
    expect(be.find((l) => l.startsWith('server m1'))).toMatch(/ cookie m1( |$)/);
  });
  test('APP_COOKIE persistence: learn the application cookie, match it', () => {
    const be = section(cfgOf(basic({ session_persistence: { type: 'APP_COOKIE', cookie_name: 'JSESSIONID', persistence_timeout: 60 } })), 'backend p1:l1');
    expect(be).toEqual(expect.arrayContaining(['stick-table type string len 64 size 10k expire 60s', 'stick store-response res.cook(JSESSIONID)', 'stick match req.cook(JSESSIONID)']));
  });
});

describe('health monitors', () => {
  const hm = (extra: object) => ({ healthmonitor_id: 'h', delay: 5, timeout: 3, max_retries: 2, max_retries_down: 3, ...extra });
  test('HTTP: method, url, version, Host, expected codes', () => {
    const be = section(cfgOf(basic({ healthmonitor: hm({ type: 'HTTP', http_method: 'HEAD', url_path: '/st?x=1&y=2', http_version: 1.1, domain_name: 'app.example', expected_codes: '200,202' }) })), 'backend p1:l1');
    expect(be).toEqual(expect.arrayContaining(['timeout check 3s', 'option httpchk', 'http-check send meth HEAD uri "/st?x=1&y=2" ver HTTP/1.1 hdr Host app.example', 'http-check expect rstatus ^(200|202)$']));
  });
  test('HTTPS checks over TLS without verifying a plain pool', () => {
    const be = section(cfgOf(basic({ healthmonitor: hm({ type: 'HTTPS' }) })), 'backend p1:l1');
    expect(be.find((l) => l.startsWith('server m1'))).toMatch(/ check-ssl verify none/);
  });
  test('TLS-HELLO uses ssl-hello-chk', () => expect(section(cfgOf(basic({ healthmonitor: hm({ type: 'TLS-HELLO' }) })), 'backend p1:l1')).toContain('option ssl-hello-chk'));
  test('PING and TCP are a connect check (haproxy cannot send ICMP)', () => {
    for (const type of ['PING', 'TCP']) {
      const be = section(cfgOf(basic({ healthmonitor: hm({ type }) })), 'backend p1:l1');
      expect(be.some((l) => /httpchk|ssl-hello/.test(l))).toBe(false);
      expect(be.find((l) => l.startsWith('server m1'))).toMatch(/ check inter 5s/);
    }
  });
  test('a disabled monitor means no checks', () => {
    const be = section(cfgOf(basic({ healthmonitor: hm({ type: 'HTTP', admin_state_up: false }) })), 'backend p1:l1');
    expect(be.join('\n')).not.toMatch(/check/);
  });
});

describe('L7 policies', () => {
  const l7doc = (policies: object[], extra = {}) =>
    rawDoc([rawListener('l1', 80, 'p1', { l7policies: policies, ...extra })], [rawPool('p1', [m1]), rawPool('p2', [m2])]);
  test('position order, ANDed rules, invert, one elected policy', () => {
    const fe = section(
      cfgOf(
        l7doc([
          rawPolicy('late', 'REJECT', [rawRule('r3', 'PATH', 'STARTS_WITH', '/')], { position: 2 }),
          rawPolicy('first', 'REDIRECT_TO_POOL', [rawRule('r1', 'PATH', 'STARTS_WITH', '/api'), rawRule('r2', 'HEADER', 'EQUAL_TO', 'x', { key: 'X-T', invert: true })], { position: 1, redirect_pool_id: 'p2' }),
        ]),
      ),
      'frontend l1',
    );
    expect(fe).toEqual(
      expect.arrayContaining([
        'acl rule_r1 path -m beg -- "/api"',
        'acl rule_r2 req.hdr(X-T) -m str -- "x"',
        'http-request set-var(txn.l7policy) int(1) if !{ var(txn.l7policy) -m found } rule_r1 !rule_r2',
        'http-request set-var(txn.l7policy) int(2) if !{ var(txn.l7policy) -m found } rule_r3',
        'http-request deny deny_status 403 if { var(txn.l7policy) -m int 2 }',
        'use_backend p2:l1 if { var(txn.l7policy) -m int 1 }',
      ]),
    );
    // use_backend after every http-request rule (haproxy runs http-request first anyway)
    expect(fe.findIndex((l) => l.startsWith('use_backend'))).toBeGreaterThan(fe.map((l) => l.startsWith('http-request')).lastIndexOf(true));
  });
  test.each([
    ['only pools', ['REDIRECT_TO_POOL', 'REDIRECT_TO_POOL']],
    ['only REJECT and redirects', ['REDIRECT_PREFIX', 'REJECT', 'REDIRECT_TO_URL']],
    ['REJECT and redirects before pools', ['REJECT', 'REDIRECT_TO_URL', 'REDIRECT_TO_POOL', 'REDIRECT_TO_POOL']],
  ])('%s: each action under its own condition, in position order (no election)', (_n, actions) => {
    const policies = actions.map((a, i) =>
      rawPolicy(`p${i}`, a, [rawRule(`r${i}`, 'PATH', 'STARTS_WITH', `/${i}`)], {
        position: i + 1,
        ...({ REDIRECT_TO_POOL: { redirect_pool_id: 'p2' }, REDIRECT_TO_URL: { redirect_url: 'https://x.example/' }, REDIRECT_PREFIX: { redirect_prefix: 'https://x.example' } } as Record<string, object>)[a],
      }),
    );
    // listed in reverse: position decides
    const fe = section(cfgOf(l7doc(policies.reverse())), 'frontend l1');
    expect(fe.join('\n')).not.toMatch(/txn\.l7policy/);
    const actionLines = fe.filter((l) => /^(http-request (deny|redirect)|use_backend) /.test(l));
    expect(actionLines.map((l) => /if (\S+)$/.exec(l)?.[1])).toEqual(actions.map((_a, i) => `rule_r${i}`));
  });
  test('a pool before a REJECT or redirect is elected (haproxy would run the http-request rule first)', () => {
    const fe = section(
      cfgOf(l7doc([
        rawPolicy('a', 'REDIRECT_TO_POOL', [rawRule('ra', 'PATH', 'STARTS_WITH', '/a')], { position: 1, redirect_pool_id: 'p2' }),
        rawPolicy('b', 'REDIRECT_TO_URL', [rawRule('rb', 'PATH', 'STARTS_WITH', '/')], { position: 2, redirect_url: 'https://x.example/' }),
      ])),
      'frontend l1',
    );
    expect(fe).toEqual(expect.arrayContaining([
      'http-request set-var(txn.l7policy) int(1) if !{ var(txn.l7policy) -m found } rule_ra',
      'http-request set-var(txn.l7policy) int(2) if !{ var(txn.l7policy) -m found } rule_rb',
      'http-request redirect location "https://x.example/" code 302 if { var(txn.l7policy) -m int 2 }',
      'use_backend p2:l1 if { var(txn.l7policy) -m int 1 }',
    ]));
  });
  test('disabled policies, disabled rules and policies without enabled rules are skipped', () => {
    const fe = section(
      cfgOf(
        l7doc([
          rawPolicy('off', 'REJECT', [rawRule('a', 'PATH', 'EQUAL_TO', '/a')], { admin_state_up: false }),
          rawPolicy('empty', 'REJECT', []),
          rawPolicy('norules', 'REJECT', [rawRule('b', 'PATH', 'EQUAL_TO', '/b', { admin_state_up: false })]),
          rawPolicy('on', 'REJECT', [rawRule('c', 'PATH', 'EQUAL_TO', '/c'), rawRule('d', 'PATH', 'EQUAL_TO', '/d', { admin_state_up: false })]),
        ]),
      ),
      'frontend l1',
    );
    expect(fe.filter((l) => l.startsWith('acl '))).toEqual(['acl rule_c path -m str -- "/c"']);
    expect(fe.filter((l) => l.startsWith('http-request '))).toEqual(['http-request deny deny_status 403 if rule_c']);
  });
  test.each([
    ['HOST_NAME', 'EQUAL_TO', null, 'a.example', 'req.hdr(host),host_only -i -m str -- "a.example"'],
    ['PATH', 'REGEX', null, '^/x$', 'path -m reg -- "^/x\\$"'],
    ['PATH', 'ENDS_WITH', null, '.php', 'path -m end -- ".php"'],
    ['PATH', 'CONTAINS', null, 'adm', 'path -m sub -- "adm"'],
    ['FILE_TYPE', 'EQUAL_TO', null, 'jpg', 'path,regsub(^[^.]*$,),field(-1,.) -m str -- "jpg"'],
    ['FILE_TYPE', 'REGEX', null, '^(png|gif)$', 'path,regsub(^[^.]*$,),field(-1,.) -m reg -- "^(png|gif)\\$"'],
    ['HEADER', 'STARTS_WITH', 'User-Agent', 'curl', 'req.hdr(User-Agent) -m beg -- "curl"'],
    ['COOKIE', 'EQUAL_TO', 'beta', 'yes', 'req.cook(beta) -m str -- "yes"'],
  ])('%s %s', (type, cmp, key, value, expr) => {
    const fe = section(cfgOf(l7doc([rawPolicy('p', 'REJECT', [rawRule('r', type, cmp, value, key ? { key } : {})])])), 'frontend l1');
    expect(fe).toContain(`acl rule_r ${expr}`);
  });
  test.each([
    ['SSL_CONN_HAS_CERT', 'EQUAL_TO', null, 'True', 'ssl_c_used'],
    ['SSL_VERIFY_RESULT', 'EQUAL_TO', null, '0', 'ssl_c_verify -m int eq 0'],
    ['SSL_DN_FIELD', 'EQUAL_TO', 'CN', 'client', 'ssl_c_s_dn(CN) -m str -- "client"'],
  ])('%s %s (TERMINATED_HTTPS)', (type, cmp, key, value, expr) => {
    const tls = exampleTls();
    const raw = l7doc([rawPolicy('p', 'REJECT', [rawRule('r', type, cmp, value, key ? { key } : {})])], { protocol: 'TERMINATED_HTTPS', protocol_port: 443, default_tls_container_data: tls.container });
    expect(section(cfgOf(raw), 'frontend l1')).toContain(`acl rule_r ${expr}`);
  });
  test('redirects: code defaults to 302, "%" is literal in the location', () => {
    const fe = section(
      cfgOf(
        l7doc([
          rawPolicy('u', 'REDIRECT_TO_URL', [rawRule('a', 'PATH', 'EQUAL_TO', '/a')], { redirect_url: 'https://x.example/a' }),
          rawPolicy('p', 'REDIRECT_PREFIX', [rawRule('b', 'PATH', 'EQUAL_TO', '/b')], { redirect_prefix: 'https://y.example', redirect_http_code: 308 }),
        ]),
      ),
      'frontend l1',
    );
    expect(fe).toEqual(
      expect.arrayContaining([
        'http-request redirect location "https://x.example/a" code 302 if rule_a',
        'http-request redirect prefix "https://y.example" code 308 if rule_b',
      ]),
    );
  });
  test('a redirect pool gets its own backend for this listener', () => {
    const cfg = cfgOf(l7doc([rawPolicy('x', 'REDIRECT_TO_POOL', [rawRule('a', 'PATH', 'EQUAL_TO', '/a')], { redirect_pool_id: 'p2' })]));
    expect(section(cfg, 'backend p2:l1').find((l) => l.startsWith('server'))).toMatch(/^server m2 /);
  });
});
