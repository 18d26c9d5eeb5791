/** The generation rule of contract section 1, as a pure decision. */
import { GenerationConflict, StaleGeneration } from '../errors';

export interface Applied {
  generation: number;
  hash: string;
}

/**
 * 'apply' for a newer generation (or nothing applied), 'unchanged' for the same
 * generation with the same content; throws 409 errors for stale or conflicting ones.
 */
export function checkGeneration(applied: Applied | null, generation: number, hash: string): 'apply' | 'unchanged' {
  if (!applied) return 'apply';
  if (generation < applied.generation) throw new StaleGeneration(generation, applied.generation);
  if (generation === applied.generation) {
    if (hash === applied.hash) return 'unchanged';
    throw new GenerationConflict(generation);
  }
  return 'apply';
}
