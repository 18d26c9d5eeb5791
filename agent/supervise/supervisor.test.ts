/** The restart-on-death supervisor with a fake clock and timers: immediate first restart, backoff, reset, failures, logs. */
import { createLogger } from '../log';
import { createSupervisor, type Timers } from './supervisor';

function harness(o: { stableMs?: number } = {}) {
  let t = 1_000_000;
  const pending: { fn: () => void; at: number }[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const h = { fn, at: t + ms };
      pending.push(h);
      return h;
    },
    clearTimeout: (h) => void pending.splice(pending.indexOf(h as never), 1),
  };
  const logs: { level: string; msg: string }[] = [];
  const w = { state: 'running' as 'idle' | 'running' | 'dead', restarts: 0, fail: 0 };
  const sup = createSupervisor({
    name: 'keepalived',
    health: async () => w.state,
    restart: async () => {
      if (w.state !== 'dead') return false;
      if (w.fail > 0) {
        w.fail--;
        throw new Error('keepalived did not start (exit 1)');
      }
      w.restarts++;
      w.state = 'running';
      return true;
    },
    log: createLogger({ debug: true, write: (l) => void logs.push(JSON.parse(l)) }),
    now: () => t, timers, intervalMs: 1000, initialBackoffMs: 1000, maxBackoffMs: 8000, stableMs: o.stableMs ?? 60000,
  });
  return { sup, w, logs, pending, advance: (ms: number) => (t += ms), now: () => t };
}

test('a death is logged and restarted at once', async () => {
  const h = harness();
  await h.sup.tick();
  expect(h.w.restarts).toBe(0);
  h.w.state = 'dead';
  await h.sup.tick();
  expect(h.w.restarts).toBe(1);
  expect(h.logs.map((l) => `${l.level} ${l.msg}`)).toEqual(['error keepalived died; restarting it', 'warn keepalived restarted']);
  expect(h.sup.status()).toMatchObject({ deaths: 1, restarts: 1, last_death_at: new Date(h.now()).toISOString(), last_restart_error: null, next_restart_at: null });
});

test('dying again and again backs off exponentially, capped', async () => {
  const h = harness();
  const restartTimes: number[] = [];
  for (let s = 0; s < 40; s++) {
    h.w.state = 'dead'; // it dies right after every restart
    const before = h.w.restarts;
    await h.sup.tick();
    if (h.w.restarts > before) restartTimes.push(s);
    h.advance(1000);
  }
  const gaps = restartTimes.slice(1).map((x, i) => x - restartTimes[i]);
  expect(restartTimes[0]).toBe(0);
  expect(gaps.slice(0, 5)).toEqual([1, 2, 4, 8, 8]);
  // one death per restart: waiting out the backoff is the same death
  expect(h.sup.status()).toMatchObject({ deaths: restartTimes.length, restarts: restartTimes.length });
  h.w.state = 'dead';
  await h.sup.tick();
  expect(h.sup.status().next_restart_at).toBe(new Date(h.now() + 7000).toISOString());
});

test('running for stableMs after a restart resets the backoff', async () => {
  const h = harness({ stableMs: 5000 });
  h.w.state = 'dead';
  await h.sup.tick();
  h.advance(500);
  h.w.state = 'dead';
  await h.sup.tick();
  expect(h.w.restarts).toBe(1); // within the 1 s backoff
  h.advance(600);
  await h.sup.tick();
  expect(h.w.restarts).toBe(2); // backoff now 2 s
  for (let i = 0; i < 6; i++) {
    h.advance(1000);
    await h.sup.tick(); // running: after 5 s the backoff resets
  }
  h.w.state = 'dead';
  await h.sup.tick();
  expect(h.w.restarts).toBe(3);
});

test('a failed restart is reported and tried again after the backoff', async () => {
  const h = harness();
  h.w.state = 'dead';
  h.w.fail = 1;
  await h.sup.tick();
  expect(h.sup.status()).toMatchObject({ restarts: 0, last_restart_error: 'keepalived did not start (exit 1)' });
  expect(h.logs.at(-1)).toMatchObject({ level: 'error', msg: 'restarting keepalived failed; trying again later' });
  await h.sup.tick();
  expect(h.w.restarts).toBe(0);
  h.advance(1000);
  await h.sup.tick();
  expect(h.w.restarts).toBe(1);
  expect(h.sup.status()).toMatchObject({ deaths: 1, restarts: 1, last_restart_error: null });
});

test('a restart reported failed (its wait timed out) that comes up after all counts as a restart, not an error', async () => {
  const h = harness();
  h.w.state = 'dead';
  h.w.fail = 1;
  await h.sup.tick();
  expect(h.sup.status()).toMatchObject({ restarts: 0, last_restart_error: 'keepalived did not start (exit 1)' });
  h.w.state = 'running';
  await h.sup.tick();
  expect(h.sup.status()).toMatchObject({ deaths: 1, restarts: 1, last_restart_error: null, last_restart_at: expect.any(String), next_restart_at: null });
  expect(h.logs.at(-1)).toMatchObject({ level: 'warn', msg: 'keepalived runs again after a restart that was reported failed' });
});

test('idle (nothing to run) never restarts; start/stop drive the timer', async () => {
  const h = harness();
  h.w.state = 'idle';
  await h.sup.tick();
  expect(h.w.restarts).toBe(0);
  h.sup.start();
  expect(h.pending).toHaveLength(1);
  h.w.state = 'dead';
  h.advance(1000);
  h.pending.shift()!.fn();
  await new Promise((r) => setImmediate(r));
  expect(h.w.restarts).toBe(1);
  expect(h.pending).toHaveLength(1);
  await h.sup.stop();
  expect(h.pending).toHaveLength(0);
});
