import type {
  MobilityCategory,
  MobilityIndex5m,
  TrafficZoneAggregate5m,
} from '@citypulse/contracts';

/**
 * What the sink stores for one zone and window: the aggregate record with its times as Dates.
 * `updatedAt` is the version: the Spark job raises it with every update of a window.
 */
export interface TrafficWindow {
  key: string;
  zoneId: string;
  zoneName: string;
  windowStart: Date;
  windowEnd: Date;
  avgSpeedKmh: number;
  minSpeedKmh: number;
  maxSpeedKmh: number;
  totalVehicleFlow: number;
  avgOccupancyPct: number;
  congestionScore: number;
  readings: number;
  updatedAt: Date;
  eventId: string;
}

/** The city-wide mobility index for one window; `updatedAt` is the version. */
export interface MobilityWindow {
  key: string;
  windowStart: Date;
  windowEnd: Date;
  avgSpeedKmh: number;
  avgOccupancyPct: number;
  mobilityIndex: number;
  category: MobilityCategory;
  zones: number;
  readings: number;
  updatedAt: Date;
  eventId: string;
}

/** Anything the sink stores: keyed, versioned by updatedAt. */
export interface Versioned {
  key: string;
  updatedAt: Date;
}

/** Why a record cannot be stored; the consumer sends it to the DLQ with this reason. */
export class InvalidAggregateError extends Error {
  override readonly name = 'InvalidAggregateError';
}

/** Same form as the Kafka key (libs/contracts topics.json): fields joined by '|', times as epoch millis. */
export function trafficKey(zoneId: string, windowStartMs: number): string {
  return `${zoneId}|${windowStartMs}`;
}

export function mobilityKey(windowStartMs: number): string {
  return String(windowStartMs);
}

function problemsOfWindow(r: {
  window_start: number;
  window_end: number;
  updated_at: number;
}): string[] {
  const out: string[] = [];
  for (const f of ['window_start', 'window_end', 'updated_at'] as const) {
    if (!Number.isSafeInteger(r[f]) || r[f] <= 0)
      out.push(`${f} ${r[f]} is not a positive epoch millis`);
  }
  if (r.window_end <= r.window_start) out.push('window_end is not after window_start');
  return out;
}

function nonNegative(out: string[], what: string, n: number): void {
  if (!Number.isFinite(n) || n < 0) out.push(`${what} ${n} is not a finite number >= 0`);
}

/** Maps a decoded agg.traffic.5m value; throws InvalidAggregateError listing every problem. */
export function toTrafficWindow(r: TrafficZoneAggregate5m): TrafficWindow {
  const problems = problemsOfWindow(r);
  if (!r.zone_id || !r.zone_id.trim()) problems.push('zone_id is empty');
  nonNegative(problems, 'avg_speed_kmh', r.avg_speed_kmh);
  nonNegative(problems, 'min_speed_kmh', r.min_speed_kmh);
  nonNegative(problems, 'max_speed_kmh', r.max_speed_kmh);
  nonNegative(problems, 'total_vehicle_flow', r.total_vehicle_flow);
  nonNegative(problems, 'avg_occupancy_pct', r.avg_occupancy_pct);
  nonNegative(problems, 'congestion_score', r.congestion_score);
  nonNegative(problems, 'readings', r.readings);
  if (r.min_speed_kmh > r.max_speed_kmh) problems.push('min_speed_kmh is above max_speed_kmh');
  if (problems.length > 0) {
    throw new InvalidAggregateError(`traffic aggregate ${r.event_id}: ${problems.join('; ')}`);
  }
  return {
    key: trafficKey(r.zone_id, r.window_start),
    zoneId: r.zone_id,
    zoneName: r.zone_name,
    windowStart: new Date(r.window_start),
    windowEnd: new Date(r.window_end),
    avgSpeedKmh: r.avg_speed_kmh,
    minSpeedKmh: r.min_speed_kmh,
    maxSpeedKmh: r.max_speed_kmh,
    totalVehicleFlow: r.total_vehicle_flow,
    avgOccupancyPct: r.avg_occupancy_pct,
    congestionScore: r.congestion_score,
    readings: r.readings,
    updatedAt: new Date(r.updated_at),
    eventId: r.event_id,
  };
}

/** Maps a decoded agg.mobility.5m value; throws InvalidAggregateError listing every problem. */
export function toMobilityWindow(r: MobilityIndex5m): MobilityWindow {
  const problems = problemsOfWindow(r);
  nonNegative(problems, 'avg_speed_kmh', r.avg_speed_kmh);
  nonNegative(problems, 'avg_occupancy_pct', r.avg_occupancy_pct);
  if (!Number.isFinite(r.mobility_index))
    problems.push(`mobility_index ${r.mobility_index} is not finite`);
  nonNegative(problems, 'zones', r.zones);
  nonNegative(problems, 'readings', r.readings);
  if (problems.length > 0) {
    throw new InvalidAggregateError(`mobility index ${r.event_id}: ${problems.join('; ')}`);
  }
  return {
    key: mobilityKey(r.window_start),
    windowStart: new Date(r.window_start),
    windowEnd: new Date(r.window_end),
    avgSpeedKmh: r.avg_speed_kmh,
    avgOccupancyPct: r.avg_occupancy_pct,
    mobilityIndex: r.mobility_index,
    category: r.category,
    zones: r.zones,
    readings: r.readings,
    updatedAt: new Date(r.updated_at),
    eventId: r.event_id,
  };
}
