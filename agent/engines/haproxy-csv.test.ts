import { showInfo, showStat } from '../../test/lib/heartbeat-show-stat';
import { counter, parseShowInfo, parseShowStat, splitCsvLine } from './haproxy-csv';

describe('haproxy CSV', () => {
  test.each([
    ['a,b,,c', ['a', 'b', '', 'c']],
    ['a,"b,c",d', ['a', 'b,c', 'd']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['x,"",', ['x', '', '']],
  ])('splits %s', (line, cells) => expect(splitCsvLine(line)).toEqual(cells));

  test('rows are keyed by the header, real width kept', () => {
    const rows = parseShowStat(showStat([{ name: 'l1', stot: 5, bin: 7 }], [{ name: 'p1:l1', servers: [{ name: 'm1', status: 'UP 1/3' }] }]));
    expect(rows.map((r) => [r.pxname, r.svname, r.status])).toEqual([
      ['l1', 'FRONTEND', 'OPEN'],
      ['p1:l1', 'm1', 'UP 1/3'],
      ['p1:l1', 'BACKEND', 'UP'],
    ]);
    expect(counter(rows[0], 'stot')).toBe(5);
    expect(counter(rows[0], 'bin')).toBe(7);
    expect(rows[1].check_desc).toBe('Layer7 check passed');
    expect(counter(rows[1], 'qlimit')).toBe(0); // empty cell
  });

  test('no header, no rows', () => expect(parseShowStat('Unknown command\n')).toEqual([]));

  test('show info', () => {
    const info = parseShowInfo(showInfo(42, 7));
    expect(info).toMatchObject({ Pid: '42', Uptime_sec: '7', Uptime: '0d 0h00m7s', Start_time_sec: '1795610000' });
  });
});
