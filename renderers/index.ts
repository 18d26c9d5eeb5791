/** The renderers by engine, and what each engine version can do. */
import { renderHaproxy } from './haproxy';
import { renderNginx } from './nginx';
import type { RenderFn } from './types';

export type { EngineCapabilities, RenderContext, RenderFn, RenderOutput } from './types';
export { renderHaproxy } from './haproxy';
export { renderKeepalived } from './keepalived';
export { checkCapabilities, type CapabilityIssue } from './check-capabilities';
export { haproxyCapabilities, nginxCapabilities } from './capabilities';
export { renderNginx } from './nginx';

/** Every renderer by engine name. */
export const renderers: Record<'haproxy' | 'nginx', RenderFn> = { haproxy: renderHaproxy, nginx: renderNginx };
