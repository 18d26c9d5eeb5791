import { condition, createLogger } from './log';

describe('createLogger', () => {
  const lines: string[] = [];
  const now = () => new Date('2026-01-02T03:04:05.000Z');
  beforeEach(() => (lines.length = 0));

  it('writes one JSON object per line with time, level, msg and fields; errors keep code and cause', () => {
    const log = createLogger({ debug: false, write: (l) => lines.push(l), now }).child({ component: 'apply' });
    const err = Object.assign(new Error('outer', { cause: new Error('inner') }), { code: 'E1' });
    log.error('failed', { generation: 3, error: err });
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0])).toEqual({
      time: '2026-01-02T03:04:05.000Z', level: 'error', msg: 'failed', component: 'apply', generation: 3,
      error: { name: 'Error', message: 'outer', code: 'E1', cause: { name: 'Error', message: 'inner' } },
    });
  });

  it('drops debug lines unless debug is on', () => {
    createLogger({ debug: false, write: (l) => lines.push(l), now }).debug('hidden');
    createLogger({ debug: true, write: (l) => lines.push(l), now }).debug('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});

describe('condition', () => {
  it('logs a repeated condition when it starts, when it changes and when it ends, not at every repeat', () => {
    const lines: { level: string; msg: string; pools?: string[] }[] = [];
    const c = condition(createLogger({ debug: false, write: (l) => void lines.push(JSON.parse(l)) }), 'warn', 'trimmed', 'whole again');
    c.update(false);
    c.update(true, 'p1', { pools: ['p1'] });
    c.update(true, 'p1', { pools: ['p1'] });
    c.update(true, 'p1', { pools: ['p1'] });
    c.update(true, 'p1,p2', { pools: ['p1', 'p2'] });
    c.update(false);
    c.update(false);
    expect(lines.map((l) => `${l.level} ${l.msg}${l.pools ? ` ${l.pools.join('+')}` : ''}`)).toEqual(['warn trimmed p1', 'warn trimmed p1+p2', 'info whole again']);
  });
});
