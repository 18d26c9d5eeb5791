/**
 * The capability check lives in `schemas/capabilities.ts` (pure, so the
 * controller uses it too); re-exported here for the renderers' callers.
 */
export { checkCapabilities, type CapabilityIssue } from '../schemas/capabilities';
