import type { TrafficReadingRaw } from '@citypulse/contracts';
import type { FaultProfile, SimRecord } from '@citypulse/simulation';

export const MALFORMED_VARIANTS = [
  'negative_speed',
  'impossible_speed',
  'nan_speed',
  'occupancy_over_100',
  'negative_count',
  'far_future',
  'unknown_sensor',
] as const;
export type MalformedVariant = (typeof MALFORMED_VARIANTS)[number];

/** A traffic record as it goes to Kafka, with the faults it carries. */
export type GeneratedRecord = SimRecord<TrafficReadingRaw, MalformedVariant>;

/** A copy of the reading with one impossible value. */
export function corrupt(value: TrafficReadingRaw, variant: MalformedVariant): TrafficReadingRaw {
  const v = { ...value };
  switch (variant) {
    case 'negative_speed':
      v.speed = -5;
      break;
    case 'impossible_speed':
      v.speed = 900;
      break;
    case 'nan_speed':
      v.speed = Number.NaN;
      break;
    case 'occupancy_over_100':
      v.occupancy_pct = 150;
      break;
    case 'negative_count':
      v.vehicle_count = -3;
      break;
    case 'far_future':
      v.event_time = value.event_time + 400 * 24 * 3_600_000;
      break;
    case 'unknown_sensor':
      v.sensor_id = 'Z99-S99';
      v.zone_id = 'Z99';
      break;
  }
  return v;
}

/** Traffic readings: keyed by sensor id; messy devices garble sensor and zone ids. */
export const TRAFFIC_FAULTS: FaultProfile<TrafficReadingRaw, MalformedVariant> = {
  // 'faults' (no stream suffix): the label the traffic sequence has always used
  rngLabel: 'faults',
  keyOf: (v) => v.sensor_id.trim().toUpperCase(),
  messyFields: ['sensor_id', 'zone_id'],
  malformedVariants: MALFORMED_VARIANTS,
  corrupt,
};

/** The number fields of a reading (a dump writes NaN as "NaN"). */
export const TRAFFIC_NUMERIC_FIELDS = ['event_time', 'speed', 'vehicle_count', 'occupancy_pct'];
