import { backoffDelay, DEFAULT_BACKOFF, shouldRetry } from './backoff';

const opts = { initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 0.5, maxAttempts: 4 };

describe('backoff', () => {
  it('grows exponentially without jitter', () => {
    const noJitter = { ...opts, jitter: 0 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, noJitter))).toEqual([100, 200, 400, 800]);
  });

  it('is capped at maxMs', () => {
    expect(backoffDelay(20, { ...opts, jitter: 0 })).toBe(1_000);
    expect(backoffDelay(1_000, { ...opts, jitter: 0 })).toBe(1_000);
  });

  it('jitter only shortens, within the jitter fraction', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(400);
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(200);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, opts);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  it('treats attempt < 1 as the first attempt', () => {
    expect(backoffDelay(0, { ...opts, jitter: 0 })).toBe(100);
  });

  it('allows maxAttempts attempts in all', () => {
    expect([1, 2, 3, 4].map((a) => shouldRetry(a, opts))).toEqual([true, true, true, false]);
    expect(shouldRetry(1, DEFAULT_BACKOFF)).toBe(true);
  });
});
