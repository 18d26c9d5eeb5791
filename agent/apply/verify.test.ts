import type { Engine, EngineStatus, StatRow } from '../engines/types';
import { VERIFY_COLUMNS, verifyServing } from './verify';

const running: EngineStatus = { running: true, masterPid: 1, workerPid: 42, oldWorkerPids: [], reloads: 1, failedReloads: 0, statsSocket: '/run/s.sock', masterSocket: '/run/m.sock' };

/** An engine whose answers come only once all three questions were asked. */
function engine(o: { status?: EngineStatus | Error; pid?: string; open?: string[] }) {
  const asked: string[] = [];
  const statsOpts: unknown[] = [];
  let release!: () => void;
  const allAsked = new Promise<void>((r) => (release = r));
  const ask = async <T>(what: string, answer: () => T): Promise<T> => {
    asked.push(what);
    if (asked.length === 3) release();
    await allAsked;
    return answer();
  };
  const e = {
    name: 'haproxy',
    status: () => ask('status', () => {
      if (o.status instanceof Error) throw o.status;
      return o.status ?? running;
    }),
    info: () => ask('info', () => ({ Pid: o.pid ?? '42' })),
    stats: (opts: unknown) => (statsOpts.push(opts), ask('stats', () => (o.open ?? ['l1']).map((pxname) => ({ pxname, svname: 'FRONTEND', status: 'OPEN' }) as unknown as StatRow))),
  } as unknown as Engine;
  return { e, asked, statsOpts };
}

describe('verifyServing', () => {
  it('asks the engine, the stats socket and the frontends at once, and passes when the new worker serves every listener', async () => {
    const { e, asked } = engine({});
    expect(await verifyServing(e, ['l1'])).toBeNull();
    expect(asked.sort()).toEqual(['info', 'stats', 'status']);
  });

  it('asks for the frontends and the three cells it reads, not every column', async () => {
    const { e, statsOpts } = engine({});
    await verifyServing(e, ['l1']);
    expect(statsOpts).toEqual([{ frontendsOnly: true, columns: VERIFY_COLUMNS }]);
    expect([...VERIFY_COLUMNS].sort()).toEqual(['pxname', 'status', 'svname']);
  });

  it('reads the answers in order: no worker, then the wrong pid, then the listeners', async () => {
    expect(await verifyServing(engine({ status: { ...running, workerPid: null }, pid: '7' }).e, ['l1'])).toBe('the engine has no current worker');
    expect(await verifyServing(engine({ pid: '7', open: [] }).e, ['l1'])).toBe('the stats socket answers for pid 7, not the new worker 42');
    expect(await verifyServing(engine({ open: ['l1'] }).e, ['l1', 'l2'])).toBe('listeners not open: l2');
    await expect(verifyServing(engine({ status: new Error('no master') }).e, ['l1'])).rejects.toThrow('no master');
  });
});
