/**
 * Event time of report `i` when `count` reporters (sensors, vehicles) each report once per
 * interval, their reports spread evenly over it, reporter `i mod count` first to last:
 * start + floor(i / count) * interval + floor((i mod count) * interval / count).
 * A sequence built on it depends only on start, interval and count, never on wall-clock pacing.
 */
export function periodicTime(
  i: number,
  count: number,
  startTime: number,
  intervalMs: number,
): number {
  return (
    startTime + Math.floor(i / count) * intervalMs + Math.floor(((i % count) * intervalMs) / count)
  );
}
