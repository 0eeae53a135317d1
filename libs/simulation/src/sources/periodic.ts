/**
 * Event time of report `i` when `count` reporters (sensors, vehicles) each report once per
 * interval, their reports spread evenly over it, reporter `i mod count` first to last:
 * start + floor(i * interval / count) — for a whole-ms interval the same as
 * start + floor(i / count) * interval + floor((i mod count) * interval / count).
 * The interval may be fractional (one derived from a rate and a speed-up): event times stay whole
 * milliseconds (an Avro timestamp-millis is a long) and, floored once over the whole run, never
 * drift from it. A sequence built on it depends only on start, interval and count, never on
 * wall-clock pacing.
 */
export function periodicTime(
  i: number,
  count: number,
  startTime: number,
  intervalMs: number,
): number {
  return Math.floor(startTime) + Math.floor((i * intervalMs) / count);
}
