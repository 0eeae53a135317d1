import { resolveStart, resolveTiming } from './timing';

describe('resolveTiming', () => {
  it('derives the speed-up from a rate and the default interval', () => {
    expect(resolveTiming({ rate: 440, reporters: 44 })).toEqual({
      rate: 440,
      speedup: 300,
      intervalMs: 30_000,
    });
  });
  it('derives the interval from a rate and a speed-up', () => {
    expect(resolveTiming({ rate: 500, speedup: 60, reporters: 44 })).toEqual({
      rate: 500,
      speedup: 60,
      intervalMs: 5_280,
    });
  });
  it('derives the rate from a speed-up', () => {
    expect(resolveTiming({ speedup: 60, reporters: 44, intervalMs: 10_000 }).rate).toBeCloseTo(264);
  });
  it('runs in real time by default and unpaced for max', () => {
    expect(resolveTiming({ reporters: 44 }).speedup).toBe(1);
    expect(resolveTiming({ rate: Infinity, reporters: 44 })).toEqual({
      rate: Infinity,
      speedup: Infinity,
      intervalMs: 30_000,
    });
  });
  it('refuses three constraints or bad numbers', () => {
    expect(() => resolveTiming({ rate: 1, speedup: 1, intervalMs: 1, reporters: 4 })).toThrow(
      /at most two/,
    );
    expect(() => resolveTiming({ rate: -1, reporters: 4 })).toThrow(RangeError);
    expect(() => resolveTiming({ speedup: 0, reporters: 4 })).toThrow(RangeError);
  });
});

describe('resolveTiming with sporadic records', () => {
  it('counts them in the rate: periodic reporters per interval plus sporadic per second', () => {
    // 98 reporters every 30 s + 0.2 sporadic records per simulated second = 3.4 per second
    expect(resolveTiming({ speedup: 10, reporters: 98, sporadicPerSecond: 0.2 }).rate).toBeCloseTo(
      34.67,
      2,
    );
    expect(resolveTiming({ rate: 34, reporters: 98, sporadicPerSecond: 0.2 }).speedup).toBeCloseTo(
      34 / (98 / 30 + 0.2),
      6,
    );
    // rate and speed-up: what the sporadic records leave sets the interval
    const t = resolveTiming({ rate: 500, speedup: 60, reporters: 98, sporadicPerSecond: 1 });
    expect(t.intervalMs).toBeCloseTo((60 * 98 * 1000) / (500 - 60), 6);
  });

  it('needs rate or speed-up, not both, without periodic reporters', () => {
    expect(resolveTiming({ rate: 20, reporters: 0, sporadicPerSecond: 0.1 }).speedup).toBeCloseTo(
      200,
    );
    expect(resolveTiming({ speedup: 60, reporters: 0, sporadicPerSecond: 0.1 }).rate).toBeCloseTo(
      6,
    );
    expect(() =>
      resolveTiming({ rate: 20, speedup: 60, reporters: 0, sporadicPerSecond: 0.1 }),
    ).toThrow(/rate or speedup/);
    expect(() =>
      resolveTiming({ rate: 5, speedup: 60, reporters: 4, sporadicPerSecond: 1 }),
    ).toThrow(/leaves nothing/);
    expect(() => resolveTiming({ reporters: 0 })).toThrow(/nothing to report/);
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
