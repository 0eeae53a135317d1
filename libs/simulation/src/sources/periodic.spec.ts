import { periodicTime } from './periodic';

describe('periodicTime', () => {
  it('spreads each round of reports evenly over the interval', () => {
    const ts = Array.from({ length: 8 }, (_, i) => periodicTime(i, 4, 1_000, 30_000));
    expect(ts).toEqual([1_000, 8_500, 16_000, 23_500, 31_000, 38_500, 46_000, 53_500]);
  });

  it('gives whole milliseconds for a fractional interval, without drifting from it', () => {
    // 500/s at 60x over 98 reporters with incidents on: the interval is not a whole ms.
    const interval = (60 * 98 * 1000) / (500 - 60 * 0.01);
    const start = Date.UTC(2024, 5, 8, 6);
    const ts = Array.from({ length: 98 * 1000 }, (_, i) => periodicTime(i, 98, start, interval));
    expect(ts.every(Number.isInteger)).toBe(true);
    expect(ts.every((t, i) => i === 0 || t >= ts[i - 1])).toBe(true);
    // round k starts at start + floor(k * interval), as an independent computation says
    expect(ts[98 * 999]).toBe(start + Math.floor(999 * interval));
    expect(periodicTime(5, 98, start + 0.25, interval)).toBe(
      start + Math.floor((5 * interval) / 98),
    );
  });

  it('is the documented formula for a whole-ms interval', () => {
    for (const [count, interval] of [
      [98, 30_000],
      [44, 5_280],
      [54, 11_761],
      [7, 1_001],
    ]) {
      for (let i = 0; i < 5_000; i += 7) {
        const expected =
          1_000 + Math.floor(i / count) * interval + Math.floor(((i % count) * interval) / count);
        expect(periodicTime(i, count, 1_000, interval)).toBe(expected);
      }
    }
  });
});
