/**
 * A per-sensor baseline for each hour of the day (UTC, by event time): an exponentially weighted
 * mean and spread of the sensor's speed, robust to the anomalies it is meant to find.
 *
 * Method: score z = (x - mean) / max(spread, minSpread), spread = sqrt(EW variance). The baseline
 * then learns from the residual clipped to +-fireZ spreads (a Huber-style update), so a run of
 * wild readings moves it only a little and cannot teach it that the anomaly is normal. The first
 * readings of a bucket use weight max(alpha, 1/n) — a plain running mean and variance — so the
 * baseline does not start biased towards its first value. Warm-up: a bucket scores nothing until
 * it has seen `warmupReadings` readings; after a restart the baselines warm up again.
 */

export interface AnomalyOptions {
  alpha: number;
  fireZ: number;
  warmupReadings: number;
  minSpread: number;
}

interface Bucket {
  n: number;
  mean: number;
  variance: number;
}

const HOUR_MS = 3_600_000;

export class SensorBaselines {
  private readonly buckets = new Map<string, Bucket[]>();

  constructor(private readonly opts: AnomalyOptions) {}

  /**
   * Scores a reading against its sensor's baseline for that hour (undefined while warming up),
   * then learns from it.
   */
  score(sensorId: string, eventTime: number, value: number): number | undefined {
    let hours = this.buckets.get(sensorId);
    if (!hours) this.buckets.set(sensorId, (hours = []));
    const hour = Math.floor(eventTime / HOUR_MS) % 24;
    let b = hours[hour];
    if (!b) hours[hour] = b = { n: 0, mean: value, variance: 0 };
    const { alpha, fireZ, warmupReadings, minSpread } = this.opts;
    const spread = Math.max(Math.sqrt(b.variance), minSpread);
    const z = b.n >= warmupReadings ? (value - b.mean) / spread : undefined;
    // learn: clipped residual, EW mean and variance
    b.n++;
    const w = Math.max(alpha, 1 / b.n);
    const r = b.n === 1 ? 0 : Math.max(-fireZ * spread, Math.min(fireZ * spread, value - b.mean));
    b.mean += w * r;
    b.variance = (1 - w) * (b.variance + w * r * r);
    return z;
  }
}

/** Counts consecutive readings beyond the firing level and within the resolve level. */
export class RunCounter {
  private readonly runs = new Map<string, { beyond: number; within: number }>();

  /** 'breach' after `consecutive` scores above fireZ, 'clear' after as many below resolveZ. */
  verdict(
    id: string,
    z: number | undefined,
    o: { fireZ: number; resolveZ: number; consecutive: number },
  ): 'breach' | 'clear' | 'hold' {
    let r = this.runs.get(id);
    if (!r) this.runs.set(id, (r = { beyond: 0, within: 0 }));
    if (z === undefined) return 'hold';
    const a = Math.abs(z);
    if (a > o.fireZ) {
      r.beyond++;
      r.within = 0;
    } else if (a < o.resolveZ) {
      r.within++;
      r.beyond = 0;
    } else {
      r.beyond = 0;
      r.within = 0;
    }
    if (r.beyond >= o.consecutive) return 'breach';
    if (r.within >= o.consecutive) return 'clear';
    return 'hold';
  }
}
