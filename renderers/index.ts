/** The renderers by engine, and what each engine version can do. */
import { renderHaproxy } from './haproxy';
import type { RenderFn } from './types';

export type { EngineCapabilities, RenderContext, RenderFn, RenderOutput } from './types';
export { renderHaproxy } from './haproxy';
export { renderKeepalived } from './keepalived';
export { checkCapabilities, type CapabilityIssue } from './check-capabilities';
export { haproxyCapabilities } from './capabilities';

/** Every renderer by engine name. */
export const renderers: Record<'haproxy', RenderFn> = { haproxy: renderHaproxy };
