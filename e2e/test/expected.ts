/**
 * The expected outcome of the traffic flow, computed here from the generated records alone —
 * independently of the normalizer's and the Spark job's code: the normalizer's published rules
 * (apps/normalizer/README.md) and the window formulas of spark/README.md, in plain TypeScript.
 */
import type { CityDefinition } from '@citypulse/postgres';
import type { GeneratedRecord } from '@citypulse/sensor-generator';
import type { ExpectedAggregate, ExpectedWindow } from './harness';

export const WINDOW_MS = 5 * 60_000;
const KMH_PER_MPH = 1.609344;
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** A reading the normalizer lets through, as the Spark job sees it. */
export interface Accepted {
  eventId: string;
  /** the normalized record's Kafka key: the canonical sensor id */
  key: string;
  eventTime: number;
  zoneId: string;
  speedKmh: number;
  vehicleCount: number;
  occupancyPct: number;
  speedLimitKmh: number;
}

export type Verdict =
  | { kind: 'accepted'; reading: Accepted }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; reason: string };

const canon = (id: string) => id.trim().toUpperCase();

/** The normalizer's traffic rules, re-stated: validation, unit conversion, ids, dedup by event id. */
export class NormalizerModel {
  private readonly seen = new Set<string>();
  private readonly sensors: Map<string, { zone: string; unit: string; active: boolean }>;
  private readonly zones: Map<string, { limit: number }>;

  constructor(
    city: CityDefinition,
    private readonly now: number,
  ) {
    this.sensors = new Map(
      city.sensors.map((s) => [
        canon(s.id),
        {
          zone: canon(s.zone_id),
          unit: s.unit,
          active: (s as { active?: boolean }).active !== false,
        },
      ]),
    );
    this.zones = new Map(city.zones.map((z) => [canon(z.id), { limit: z.speed_limit_kmh }]));
  }

  judge(r: GeneratedRecord): Verdict {
    if (r.kind === 'bytes') return { kind: 'rejected', reason: 'not avro' };
    const v = r.value;
    const id = (v.event_id ?? '').trim();
    if (!id) return { kind: 'rejected', reason: 'missing_event_id' };
    if (this.seen.has(id)) return { kind: 'duplicate' };
    const reason = this.invalid(v);
    if (reason) return { kind: 'rejected', reason };
    this.seen.add(id);
    const sensor = this.sensors.get(canon(v.sensor_id))!;
    const unit =
      v.speed_unit === 'UNKNOWN' ? (sensor.unit === 'mph' ? 'MPH' : 'KMH') : v.speed_unit;
    return {
      kind: 'accepted',
      reading: {
        eventId: id,
        key: canon(v.sensor_id),
        eventTime: v.event_time,
        zoneId: sensor.zone,
        speedKmh: unit === 'MPH' ? v.speed * KMH_PER_MPH : v.speed,
        vehicleCount: v.vehicle_count,
        occupancyPct: v.occupancy_pct,
        speedLimitKmh: this.zones.get(sensor.zone)!.limit,
      },
    };
  }

  private invalid(v: Extract<GeneratedRecord, { kind: 'reading' }>['value']): string | undefined {
    if (!v.sensor_id?.trim()) return 'missing_sensor_id';
    if (!Number.isInteger(v.event_time) || v.event_time <= 0) return 'invalid_event_time';
    if (v.event_time > this.now + FUTURE_TOLERANCE_MS) return 'event_time_in_future';
    if (!Number.isInteger(v.vehicle_count) || v.vehicle_count < 0)
      return 'vehicle_count_out_of_range';
    if (!Number.isFinite(v.occupancy_pct) || v.occupancy_pct < 0 || v.occupancy_pct > 100)
      return 'occupancy_out_of_range';
    const sensor = this.sensors.get(canon(v.sensor_id));
    const unit =
      v.speed_unit === 'UNKNOWN' ? (sensor?.unit === 'mph' ? 'MPH' : 'KMH') : v.speed_unit;
    const kmh = unit === 'MPH' ? v.speed * KMH_PER_MPH : v.speed;
    if (!Number.isFinite(kmh) || kmh < 0 || kmh > 250) return 'speed_out_of_range';
    // an unknown sensor in an unknown zone is reported as the zone
    if (!sensor) return this.zones.has(canon(v.zone_id)) ? 'unknown_sensor' : 'unknown_zone';
    if (!sensor.active) return 'inactive_sensor';
    if (canon(v.zone_id) !== sensor.zone)
      return this.zones.has(canon(v.zone_id)) ? 'zone_mismatch' : 'unknown_zone';
    return undefined;
  }
}

export interface ZoneWindow {
  zoneId: string;
  windowStart: number;
  windowEnd: number;
  avgSpeedKmh: number;
  minSpeedKmh: number;
  maxSpeedKmh: number;
  totalVehicleFlow: number;
  avgOccupancyPct: number;
  congestionScore: number;
  readings: number;
}

export interface MobilityWindow {
  windowStart: number;
  windowEnd: number;
  avgSpeedKmh: number;
  avgOccupancyPct: number;
  mobilityIndex: number;
  category: string;
  zones: number;
  readings: number;
}

const windowOf = (t: number) => Math.floor(t / WINDOW_MS) * WINDOW_MS;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** 5-minute windows per zone: avg/min/max speed, flow, occupancy, congestion score, readings. */
export function zoneWindows(readings: readonly Accepted[]): ZoneWindow[] {
  const groups = new Map<string, Accepted[]>();
  for (const r of readings) {
    const k = `${r.zoneId}|${windowOf(r.eventTime)}`;
    // push, not a copy per reading: a fault run's windows hold thousands each
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()].map((rs) => {
    const start = windowOf(rs[0].eventTime);
    const speeds = rs.map((r) => r.speedKmh);
    const avgSpeed = mean(speeds);
    const avgOcc = mean(rs.map((r) => r.occupancyPct));
    const limit = mean(rs.map((r) => r.speedLimitKmh));
    const free = Math.min(1, Math.max(0, 1 - avgSpeed / limit));
    return {
      zoneId: rs[0].zoneId,
      windowStart: start,
      windowEnd: start + WINDOW_MS,
      avgSpeedKmh: avgSpeed,
      minSpeedKmh: speeds.reduce((a, b) => Math.min(a, b)),
      maxSpeedKmh: speeds.reduce((a, b) => Math.max(a, b)),
      totalVehicleFlow: rs.reduce((a, r) => a + r.vehicleCount, 0),
      avgOccupancyPct: avgOcc,
      congestionScore: 100 * (0.6 * free + 0.4 * (avgOcc / 100)),
      readings: rs.length,
    };
  });
}

export function mobilityCategory(index: number): string {
  if (index > 80) return 'EXCELLENT';
  if (index >= 60) return 'GOOD';
  if (index >= 40) return 'MODERATE';
  if (index >= 20) return 'LOW';
  return 'CRITICAL';
}

/** The city-wide index per 5-minute window, over every reading (not an average of zones). */
export function mobilityWindows(readings: readonly Accepted[]): MobilityWindow[] {
  const groups = new Map<number, Accepted[]>();
  for (const r of readings) {
    const k = windowOf(r.eventTime);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups].map(([start, rs]) => {
    const avgSpeed = mean(rs.map((r) => r.speedKmh));
    const avgOcc = mean(rs.map((r) => r.occupancyPct));
    const index = ((avgSpeed / 50) * 0.6 + ((100 - avgOcc) / 100) * 0.4) * 100;
    return {
      windowStart: start,
      windowEnd: start + WINDOW_MS,
      avgSpeedKmh: avgSpeed,
      avgOccupancyPct: avgOcc,
      mobilityIndex: index,
      category: mobilityCategory(index),
      zones: new Set(rs.map((r) => r.zoneId)).size,
      readings: rs.length,
    };
  });
}

/** Relative closeness for floats computed in a different order. */
export function close(a: number, b: number, rel = 1e-6): boolean {
  return a === b || Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

const zone = (w: ZoneWindow): ExpectedWindow => ({
  keys: { zone_id: w.zoneId },
  windowStart: w.windowStart,
  windowEnd: w.windowEnd,
  exact: { readings: w.readings, total_vehicle_flow: w.totalVehicleFlow },
  floats: {
    avg_speed_kmh: w.avgSpeedKmh,
    min_speed_kmh: w.minSpeedKmh,
    max_speed_kmh: w.maxSpeedKmh,
    avg_occupancy_pct: w.avgOccupancyPct,
    congestion_score: w.congestionScore,
  },
});

const mobility = (w: MobilityWindow): ExpectedWindow => ({
  keys: {},
  windowStart: w.windowStart,
  windowEnd: w.windowEnd,
  exact: { readings: w.readings, zones: w.zones, category: w.category },
  floats: {
    avg_speed_kmh: w.avgSpeedKmh,
    avg_occupancy_pct: w.avgOccupancyPct,
    mobility_index: w.mobilityIndex,
  },
});

/** The windows of both traffic aggregates, as stored, from the on-time readings. */
export function trafficAggregates(onTime: readonly Accepted[]): ExpectedAggregate[] {
  return [
    { spark: 'traffic_zone_5m', windows: zoneWindows(onTime).map(zone) },
    { spark: 'mobility_index_5m', windows: mobilityWindows(onTime).map(mobility) },
  ];
}
