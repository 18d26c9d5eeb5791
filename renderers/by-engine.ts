/**
 * The renderer of one engine, loaded on first use: a process that renders
 * for haproxy never loads (and compiles the templates of) nginx's, and the
 * other way round (the validation worker's start-up, agent/apply).
 */
import type { RenderContext, RenderFn } from './types';

/** The engine's render function, without loading the other engine's. */
export function rendererFor(engine: RenderContext['capabilities']['engine']): RenderFn {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (engine === 'haproxy') return (require('./haproxy') as typeof import('./haproxy')).renderHaproxy;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./nginx') as typeof import('./nginx')).renderNginx;
}
