export const DEFAULT_INTERVAL_MS = 30_000;

export interface TimingInput {
  /** events per second of wall time; Infinity = as fast as possible; undefined = not given */
  rate?: number;
  /** simulated seconds per wall second; undefined = not given */
  speedup?: number;
  /** each sensor's reporting interval in simulated ms; undefined = not given */
  intervalMs?: number;
  sensors: number;
}

export interface Timing {
  /** events per second of wall time (Infinity = unpaced) */
  rate: number;
  /** simulated seconds per wall second (Infinity when unpaced) */
  speedup: number;
  /** each sensor's reporting interval, simulated ms */
  intervalMs: number;
}

/**
 * Rate, clock speed-up and reporting interval are tied: rate = speedup * sensors / interval.
 * Give any two (or one, the interval defaulting to 30 s); the third follows. With neither rate
 * nor speed-up the clock runs in real time.
 */
export function resolveTiming(input: TimingInput): Timing {
  const { rate, speedup, sensors } = input;
  if (!(sensors > 0)) throw new RangeError('the city has no sensors');
  if (rate !== undefined && !(rate > 0)) throw new RangeError('rate must be > 0 (or max)');
  if (speedup !== undefined && !(speedup > 0 && Number.isFinite(speedup))) {
    throw new RangeError('speedup must be a positive number');
  }
  if (input.intervalMs !== undefined && !(input.intervalMs > 0)) {
    throw new RangeError('interval must be > 0');
  }
  if (rate !== undefined && speedup !== undefined && input.intervalMs !== undefined) {
    throw new RangeError('give at most two of rate, speedup and interval: the third follows');
  }
  if (rate === Infinity) {
    return { rate, speedup: Infinity, intervalMs: input.intervalMs ?? DEFAULT_INTERVAL_MS };
  }
  if (rate !== undefined && speedup !== undefined) {
    return { rate, speedup, intervalMs: (speedup * sensors * 1000) / rate };
  }
  const intervalMs = input.intervalMs ?? DEFAULT_INTERVAL_MS;
  if (rate !== undefined)
    return { rate, speedup: (rate * intervalMs) / (sensors * 1000), intervalMs };
  const s = speedup ?? 1;
  return { rate: (s * sensors * 1000) / intervalMs, speedup: s, intervalMs };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The simulated start: an ISO date-time, epoch millis, 'now', or relative to now like '-7d',
 * '-90m', '-7d@06:00' (7 days ago at 06:00 UTC). Without one, a real-time run starts now and a
 * sped-up run 7 days ago at 06:00 UTC, so its simulated clock stays behind the wall clock (the
 * normalizer rejects readings from the future) for a long demo, and a rush hour comes soon.
 */
export function resolveStart(spec: string | undefined, speedup: number, now: number): number {
  const s = spec?.trim() || (speedup > 1 ? '-7d@06:00' : 'now');
  if (s === 'now') return now;
  if (/^\d+$/.test(s)) return Number(s);
  const rel = /^-(\d+(?:\.\d+)?)([smhd])(?:@(\d{2}):(\d{2}))?$/.exec(s);
  if (rel) {
    let t = now - Number(rel[1]) * UNIT_MS[rel[2]];
    if (rel[3] !== undefined) {
      const day = Math.floor(t / UNIT_MS.d) * UNIT_MS.d;
      t = day + Number(rel[3]) * UNIT_MS.h + Number(rel[4]) * UNIT_MS.m;
    }
    return t;
  }
  const parsed = Date.parse(s);
  if (Number.isNaN(parsed)) {
    throw new RangeError(
      `start "${s}" is not an ISO date, epoch millis, now or -<n><s|m|h|d>[@HH:MM]`,
    );
  }
  return parsed;
}
