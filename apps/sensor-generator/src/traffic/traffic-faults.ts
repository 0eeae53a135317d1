import type { TrafficReadingRaw } from '@citypulse/contracts';
import { farFuture, faultProfile, type SimRecord } from '@citypulse/simulation';

/** Traffic readings: keyed by sensor id; messy devices garble sensor and zone ids. */
export const TRAFFIC_FAULTS = faultProfile({
  // 'faults' (no stream suffix): the label the traffic sequence has always used
  rngLabel: 'faults',
  keyOf: (v: TrafficReadingRaw) => v.sensor_id.trim().toUpperCase(),
  messyFields: ['sensor_id', 'zone_id'],
  corruptions: {
    negative_speed: () => ({ speed: -5 }),
    impossible_speed: () => ({ speed: 900 }),
    nan_speed: () => ({ speed: Number.NaN }),
    occupancy_over_100: () => ({ occupancy_pct: 150 }),
    negative_count: () => ({ vehicle_count: -3 }),
    far_future: farFuture,
    unknown_sensor: () => ({ sensor_id: 'Z99-S99', zone_id: 'Z99' }),
  },
});

export const MALFORMED_VARIANTS = TRAFFIC_FAULTS.malformedVariants;
export type MalformedVariant = (typeof MALFORMED_VARIANTS)[number];

/** A traffic record as it goes to Kafka, with the faults it carries. */
export type GeneratedRecord = SimRecord<TrafficReadingRaw, MalformedVariant>;

/** A copy of the reading with one impossible value. */
export const corrupt = TRAFFIC_FAULTS.corrupt;

/** The number fields of a reading (a dump writes NaN as "NaN"). */
export const TRAFFIC_NUMERIC_FIELDS = ['event_time', 'speed', 'vehicle_count', 'occupancy_pct'];
