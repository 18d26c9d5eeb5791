/** The renderers by engine, and what each engine version can do. */
export type { EngineCapabilities, RenderContext, RenderFn, RenderOutput } from './types';
export { renderHaproxy } from './haproxy';
export { renderKeepalived } from './keepalived';
export { checkCapabilities, type CapabilityIssue } from './check-capabilities';
export { haproxyCapabilities, nginxCapabilities } from './capabilities';
export { renderNginx } from './nginx';
/** The renderer of an engine by its name, loading only that one. */
export { rendererFor } from './by-engine';
