/**
 * The pause between two looks at a step the agent waits for (a reload, a
 * start, the new workers answering): short while the step is young, longer
 * as it goes on.
 *
 * A small configuration reloads in 15–20 ms. With a fixed 10 ms pause, the
 * agent saw the new worker ~8 ms after it was there, on every apply. A
 * large configuration takes hundreds of ms; polling it every 2 ms would take
 * CPU from the engine that parses it. So the pause is an eighth of the time
 * already waited, between POLL_MIN_MS and POLL_MAX_MS: the agent notices the
 * end of a step at most ~12 % (and 10 ms) after it happened.
 */
export const POLL_MIN_MS = 2;
export const POLL_MAX_MS = 10;

/** The pause before the next look, for a step that began `elapsedMs` ago. */
export function pollDelayMs(elapsedMs: number): number {
  return Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, Math.floor(elapsedMs / 8)));
}
