import { trendGrowthPct } from './trend';

describe('trendGrowthPct', () => {
  it('gives a steady rise its growth over the span, against the mean', () => {
    // 100 -> 120 MB linearly over 300 s: slope 20 MB over the span, mean 110 MB
    const pts = Array.from({ length: 31 }, (_, i) => [i * 10, 100 + (20 * i) / 30] as const);
    expect(trendGrowthPct(pts)).toBeCloseTo(18.2, 1);
  });

  it('reads a swing that comes back as no growth, where two snapshots would not', () => {
    // 120 at both ends, a dip to 100 in the middle (a collector giving memory back)
    const pts = Array.from(
      { length: 31 },
      (_, i) => [i * 10, 100 + Math.abs(15 - i) * (20 / 15)] as const,
    );
    expect(Math.abs(trendGrowthPct(pts))).toBeLessThan(1);
  });

  it('is 0 for a flat series and for fewer than two points', () => {
    expect(
      trendGrowthPct([
        [0, 50],
        [10, 50],
        [20, 50],
      ]),
    ).toBe(0);
    expect(trendGrowthPct([[0, 50]])).toBe(0);
    expect(trendGrowthPct([])).toBe(0);
  });
});
