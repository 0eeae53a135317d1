export const DEFAULT_INTERVAL_MS = 30_000;

export interface TimingInput {
  /** records per second of wall time; Infinity = as fast as possible; undefined = not given */
  rate?: number;
  /** simulated seconds per wall second; undefined = not given */
  speedup?: number;
  /** each periodic reporter's interval in simulated ms; undefined = not given */
  intervalMs?: number;
  /** reporters that send once per interval (sensors, vehicles) */
  reporters: number;
  /** records per simulated second that come on their own schedule (incidents, tickets) */
  sporadicPerSecond?: number;
}

export interface Timing {
  /** records per second of wall time (Infinity = unpaced) */
  rate: number;
  /** simulated seconds per wall second (Infinity when unpaced) */
  speedup: number;
  /** each periodic reporter's interval, simulated ms */
  intervalMs: number;
}

/**
 * Rate, clock speed-up and reporting interval are tied:
 *   rate = speedup * (reporters / interval + sporadic per simulated second).
 * Give any two (or one, the interval defaulting to 30 s); the third follows. With neither rate
 * nor speed-up the clock runs in real time. Without periodic reporters the interval plays no
 * part: give rate or speed-up, the other follows from the sporadic rate.
 */
export function resolveTiming(input: TimingInput): Timing {
  const { rate, speedup, reporters } = input;
  const sporadic = input.sporadicPerSecond ?? 0;
  if (!(reporters >= 0) || !(sporadic >= 0) || !(reporters > 0 || sporadic > 0)) {
    throw new RangeError(
      'the simulation has nothing to report (no reporters, no sporadic records)',
    );
  }
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
    if (reporters === 0) {
      throw new RangeError(
        'give rate or speedup, not both: the other follows from the records per simulated second',
      );
    }
    const periodicShare = rate - speedup * sporadic;
    if (!(periodicShare > 0)) {
      throw new RangeError(
        `rate ${rate}/s at speedup ${speedup} leaves nothing for the periodic reporters ` +
          `(the sporadic records alone come at ${(speedup * sporadic).toFixed(3)}/s)`,
      );
    }
    return { rate, speedup, intervalMs: (speedup * reporters * 1000) / periodicShare };
  }
  const intervalMs = input.intervalMs ?? DEFAULT_INTERVAL_MS;
  const perInterval = reporters * 1000 + sporadic * intervalMs;
  if (rate !== undefined) return { rate, speedup: (rate * intervalMs) / perInterval, intervalMs };
  const s = speedup ?? 1;
  return { rate: (s * perInterval) / intervalMs, speedup: s, intervalMs };
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
