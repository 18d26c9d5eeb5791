/** The fixed context golden files are rendered with (scripts/regen-golden.js and golden.test.ts share it). */
import type { RenderContext } from '../types';
import { haproxyCapabilities } from '../index';

/** Same inputs, same files: the golden files depend on nothing else. */
export const GOLDEN_CONTEXT: RenderContext = {
  capabilities: haproxyCapabilities('2.6.12'),
  runDir: '/run/amphora-agent',
  fdLimit: 20000,
};
