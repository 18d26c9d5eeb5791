import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger } from '../log';
import { ensureNonlocalBind, explainBindFailure } from './nginx-nonlocal';

describe('ensureNonlocalBind', () => {
  let root: string;
  let logs: Record<string, unknown>[];
  const log = () => createLogger({ debug: true, write: (l) => logs.push(JSON.parse(l)) });
  const put = (s: string, v: string) => {
    fs.mkdirSync(path.dirname(path.join(root, s)), { recursive: true });
    fs.writeFileSync(path.join(root, s), v);
  };
  const read = (s: string) => fs.readFileSync(path.join(root, s), 'utf8').trim();
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nonlocal-'));
    logs = [];
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('sets both sysctls that are 0, logging each', () => {
    put('net/ipv4/ip_nonlocal_bind', '0\n');
    put('net/ipv6/ip_nonlocal_bind', '0\n');
    expect(ensureNonlocalBind({ procSys: root, set: true, log: log() })).toBeNull();
    expect([read('net/ipv4/ip_nonlocal_bind'), read('net/ipv6/ip_nonlocal_bind')]).toEqual(['1', '1']);
    expect(logs.map((l) => [l.level, l.sysctl])).toEqual([['info', 'net.ipv4.ip_nonlocal_bind'], ['info', 'net.ipv6.ip_nonlocal_bind']]);
  });

  test('leaves sysctls that are 1 alone; a missing one (IPv6 disabled) is no problem', () => {
    put('net/ipv4/ip_nonlocal_bind', '1\n');
    expect(ensureNonlocalBind({ procSys: root, set: true, log: log() })).toBeNull();
    expect(logs).toEqual([]);
  });

  test('one that cannot be read is a warning and the reason nginx -t\'s bind failures get', () => {
    put('net/ipv4/ip_nonlocal_bind', '0\n');
    put('net/ipv6/ip_nonlocal_bind', '1\n');
    // a directory in the file's place: it cannot be read
    const ro = path.join(root, 'net/ipv4/ip_nonlocal_bind');
    fs.rmSync(ro);
    fs.mkdirSync(ro);
    const why = ensureNonlocalBind({ procSys: root, set: true, log: log() });
    expect(why).toMatch(/^net\.ipv4\.ip_nonlocal_bind cannot be read \(.*EISDIR.*\): nginx cannot bind a VIP this VM does not hold \(a BACKUP amphora's\)$/);
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', msg: `nginx: ${why}` })]);
  });

  test('a write that fails names the sysctl and the error', () => {
    put('net/ipv4/ip_nonlocal_bind', '0\n');
    const write = () => {
      throw Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' });
    };
    expect(ensureNonlocalBind({ procSys: root, set: true, log: log(), write })).toBe("net.ipv4.ip_nonlocal_bind is 0 and the agent could not set it (EROFS: read-only file system, open): nginx cannot bind a VIP this VM does not hold (a BACKUP amphora's)");
    expect(read('net/ipv4/ip_nonlocal_bind')).toBe('0');
  });

  test('set false (nginx_nonlocal_bind = False): reports, changes nothing', () => {
    put('net/ipv4/ip_nonlocal_bind', '0\n');
    expect(ensureNonlocalBind({ procSys: root, set: false, log: log() })).toMatch(/^net\.ipv4\.ip_nonlocal_bind is 0 \(nginx_nonlocal_bind = False: the agent leaves it\)/);
    expect(read('net/ipv4/ip_nonlocal_bind')).toBe('0');
  });
});

test('explainBindFailure adds the reason to a bind nginx -t could not do for want of the address, and to nothing else', () => {
  const bind = 'nginx: [emerg] bind() to 192.0.2.1:80 failed (99: Cannot assign requested address)';
  expect(explainBindFailure(bind, 'WHY')).toBe(`${bind}\nWHY`);
  expect(explainBindFailure(bind, null)).toBe(bind);
  const inUse = 'nginx: [emerg] bind() to 127.0.0.1:80 failed (98: Address already in use)';
  expect(explainBindFailure(inUse, 'WHY')).toBe(inUse);
});
