/** The real runner: programs run without the daemon's own malloc tuning, everything else of its environment kept. */
import { childEnv, DAEMON_ONLY_ENV, systemRunner } from './process-runner';

describe('the environment of the programs the agent runs', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('leaves out the daemon-only malloc settings and keeps the rest', async () => {
    Object.assign(process.env, { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072', AMPHORA_RUNNER_TEST: 'kept' });
    const r = await systemRunner().run('/usr/bin/env', [], { timeoutMs: 10000 });
    expect(r.code).toBe(0);
    const vars = r.stdout.split('\n').map((l) => l.split('=')[0]);
    expect(vars).toContain('AMPHORA_RUNNER_TEST');
    expect(vars).toContain('PATH');
    for (const k of DAEMON_ONLY_ENV) expect(vars).not.toContain(k);
  });

  it('childEnv copies: the daemon keeps its own settings', () => {
    const env = { MALLOC_ARENA_MAX: '2', PATH: '/usr/bin' };
    expect(childEnv(env)).toEqual({ PATH: '/usr/bin' });
    expect(env).toEqual({ MALLOC_ARENA_MAX: '2', PATH: '/usr/bin' });
  });
});
