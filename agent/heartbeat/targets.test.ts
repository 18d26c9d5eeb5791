import { formatTarget, parseControllerIpPortList } from './targets';

describe('controller_ip_port_list', () => {
  test('IPv4, bare and bracketed IPv6, spaces', () => {
    expect(parseControllerIpPortList(' 192.0.2.1:5555, fd00::1:5556 ,[fd00::2]:5557,')).toEqual({
      targets: [
        { host: '192.0.2.1', port: 5555, family: 4 },
        { host: 'fd00::1', port: 5556, family: 6 },
        { host: 'fd00::2', port: 5557, family: 6 },
      ],
      errors: [],
    });
  });

  test('empty is no target', () => expect(parseControllerIpPortList('')).toEqual({ targets: [], errors: [] }));

  test.each(['192.0.2.1', 'host.example:5555', '192.0.2.1:0', '192.0.2.1:70000', '192.0.2.1:55a', '[fd00::1]', '1.2.3.4:'])('%s is refused', (item) => {
    const r = parseControllerIpPortList(item);
    expect(r.targets).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain(item);
  });

  test('format brackets IPv6', () => {
    expect(formatTarget({ host: 'fd00::1', port: 1 })).toBe('[fd00::1]:1');
    expect(formatTarget({ host: '127.0.0.1', port: 1 })).toBe('127.0.0.1:1');
  });
});
