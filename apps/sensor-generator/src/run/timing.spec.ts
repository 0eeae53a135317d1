import { resolveStart, resolveTiming } from './timing';

describe('resolveTiming', () => {
  it('derives the speed-up from a rate and the default interval', () => {
    expect(resolveTiming({ rate: 440, sensors: 44 })).toEqual({
      rate: 440,
      speedup: 300,
      intervalMs: 30_000,
    });
  });
  it('derives the interval from a rate and a speed-up', () => {
    expect(resolveTiming({ rate: 500, speedup: 60, sensors: 44 })).toEqual({
      rate: 500,
      speedup: 60,
      intervalMs: 5_280,
    });
  });
  it('derives the rate from a speed-up', () => {
    expect(resolveTiming({ speedup: 60, sensors: 44, intervalMs: 10_000 }).rate).toBeCloseTo(264);
  });
  it('runs in real time by default and unpaced for max', () => {
    expect(resolveTiming({ sensors: 44 }).speedup).toBe(1);
    expect(resolveTiming({ rate: Infinity, sensors: 44 })).toEqual({
      rate: Infinity,
      speedup: Infinity,
      intervalMs: 30_000,
    });
  });
  it('refuses three constraints or bad numbers', () => {
    expect(() => resolveTiming({ rate: 1, speedup: 1, intervalMs: 1, sensors: 4 })).toThrow(
      /at most two/,
    );
    expect(() => resolveTiming({ rate: -1, sensors: 4 })).toThrow(RangeError);
    expect(() => resolveTiming({ speedup: 0, sensors: 4 })).toThrow(RangeError);
  });
});

describe('resolveStart', () => {
  const now = Date.UTC(2024, 5, 15, 13, 27, 5);
  it('accepts now, ISO, epoch millis and relative specs', () => {
    expect(resolveStart('now', 1, now)).toBe(now);
    expect(resolveStart('2024-01-08T06:00:00Z', 1, now)).toBe(Date.UTC(2024, 0, 8, 6));
    expect(resolveStart('1700000000000', 1, now)).toBe(1_700_000_000_000);
    expect(resolveStart('-90m', 1, now)).toBe(now - 90 * 60_000);
    expect(resolveStart('-2d@07:30', 1, now)).toBe(Date.UTC(2024, 5, 13, 7, 30));
  });
  it('defaults to now in real time and to a week ago at 06:00 when sped up', () => {
    expect(resolveStart(undefined, 1, now)).toBe(now);
    expect(resolveStart('', 60, now)).toBe(Date.UTC(2024, 5, 8, 6));
  });
  it('names what it accepts when it cannot parse', () => {
    expect(() => resolveStart('yesterday', 1, now)).toThrow(/ISO date/);
  });
});
