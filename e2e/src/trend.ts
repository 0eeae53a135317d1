const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * How much a series grew over its span, in % of its mean: the least-squares slope of the [t, y]
 * points times the span from the first t to the last. A steady leak gives its growth; a swing that
 * comes back (a garbage collector's) gives about nothing, where two snapshots could read it as growth.
 */
export function trendGrowthPct(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0;
  const mt = mean(points.map(([t]) => t));
  const my = mean(points.map(([, y]) => y));
  let num = 0;
  let den = 0;
  for (const [t, y] of points) {
    num += (t - mt) * (y - my);
    den += (t - mt) ** 2;
  }
  const span = points[points.length - 1][0] - points[0][0];
  return den === 0 || my === 0 ? 0 : Math.round(((num / den) * span * 1000) / my) / 10;
}
