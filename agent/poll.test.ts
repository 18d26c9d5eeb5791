import { POLL_MAX_MS, POLL_MIN_MS, pollDelayMs } from './poll';

describe('pollDelayMs', () => {
  it('polls often while a step is young', () => {
    expect(pollDelayMs(0)).toBe(POLL_MIN_MS);
    expect(pollDelayMs(15)).toBe(POLL_MIN_MS);
  });

  it('grows with the wait: an eighth of it', () => {
    expect(pollDelayMs(40)).toBe(5);
    expect(pollDelayMs(64)).toBe(8);
  });

  it('never pauses longer than POLL_MAX_MS, whatever the wait', () => {
    expect(pollDelayMs(80)).toBe(POLL_MAX_MS);
    expect(pollDelayMs(60_000)).toBe(POLL_MAX_MS);
  });

  it('treats a clock that went backwards as a young step', () => {
    expect(pollDelayMs(-50)).toBe(POLL_MIN_MS);
  });
});
