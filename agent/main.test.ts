import { parseArgs } from './main';

describe('parseArgs', () => {
  it('takes --config-file FILE and --config-file=FILE', () => {
    expect(parseArgs(['--config-file', '/etc/a.conf'])).toEqual({ file: '/etc/a.conf' });
    expect(parseArgs(['--config-file=/etc/b.conf'])).toEqual({ file: '/etc/b.conf' });
  });
  it('explains itself on --help and without a file', () => {
    expect(parseArgs(['--help'])).toMatchObject({ exit: 0, out: expect.stringContaining('--config-file FILE') });
    expect(parseArgs([])).toMatchObject({ exit: 2, out: expect.stringContaining('missing --config-file') });
    expect(parseArgs(['--config-file'])).toMatchObject({ exit: 2 });
  });
});
