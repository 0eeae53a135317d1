import type { TrafficReadingNormalized, TrafficReadingRaw } from '@citypulse/contracts';
import { canonicalId } from '@citypulse/postgres';
import type { SensorDirectory } from '../../reference/directories';
import {
  checkEventId,
  checkEventTime,
  reject,
  ENVELOPE_REJECT_REASONS,
} from '../../runtime/checks';
import type { NormalizeResult } from '../../runtime/stream-definition';

export { MAX_CLOCK_SKEW_MS } from '../../runtime/checks';
export const KMH_PER_MPH = 1.609344;
export const MAX_SPEED_KMH = 250;

/** Why a raw reading was refused: a stable code for the DLQ headers and the metrics. */
export const TRAFFIC_REJECT_REASONS = [
  ...ENVELOPE_REJECT_REASONS,
  'missing_sensor_id',
  'speed_out_of_range',
  'occupancy_out_of_range',
  'vehicle_count_out_of_range',
  'unknown_sensor',
  'inactive_sensor',
  'unknown_zone',
  'zone_mismatch',
] as const;
export type TrafficRejectReason = (typeof TRAFFIC_REJECT_REASONS)[number];

/** Reasons a newer reference snapshot might turn into an accepted reading. */
export const TRAFFIC_REFERENCE_MISSES: readonly TrafficRejectReason[] = [
  'unknown_sensor',
  'unknown_zone',
  'zone_mismatch',
  'inactive_sensor',
];

export type TrafficResult = NormalizeResult<TrafficReadingNormalized, TrafficRejectReason>;

/**
 * Validates one raw reading and turns it into the normalized one: ids trimmed and upper-cased
 * (the reference data's canonical form), speed converted to km/h, ranges checked (speed
 * 0-250 km/h, occupancy 0-100 %, count >= 0, event time not beyond now + 5 min), and the
 * sensor's zone (name, speed limit, capacity) attached from the reference data.
 * The raw zone id must name the zone the reference data puts the sensor in.
 */
export function normalizeTraffic(
  raw: TrafficReadingRaw,
  directory: SensorDirectory,
  now: number,
): TrafficResult {
  const badId = checkEventId(raw);
  if (badId) return badId;
  const eventId = raw.event_id.trim();
  const sensorId = canonicalId(raw.sensor_id);
  if (!sensorId) return reject('missing_sensor_id', 'sensor_id is empty');
  const badTime = checkEventTime(raw, now);
  if (badTime) return badTime;
  if (!Number.isInteger(raw.vehicle_count) || raw.vehicle_count < 0) {
    return reject(
      'vehicle_count_out_of_range',
      `vehicle_count ${raw.vehicle_count} is not a count >= 0`,
    );
  }
  if (!(raw.occupancy_pct >= 0 && raw.occupancy_pct <= 100)) {
    return reject('occupancy_out_of_range', `occupancy_pct ${raw.occupancy_pct} is outside 0-100`);
  }
  if (!(raw.speed >= 0) || !Number.isFinite(raw.speed)) {
    return reject('speed_out_of_range', `speed ${raw.speed} ${raw.speed_unit} is not a speed >= 0`);
  }

  const context = directory.sensorContext(sensorId);
  if (!context) {
    const zoneKnown = directory.zone(raw.zone_id) !== undefined;
    return zoneKnown
      ? reject('unknown_sensor', `sensor ${sensorId} is not in the reference data`)
      : reject(
          'unknown_zone',
          `sensor ${sensorId} and zone ${canonicalId(raw.zone_id)} are not in the reference data`,
        );
  }
  const { sensor, zone } = context;
  if (!sensor.active) return reject('inactive_sensor', `sensor ${sensorId} is marked inactive`);
  const zoneId = canonicalId(raw.zone_id);
  if (zoneId !== zone.id) {
    return directory.zone(zoneId)
      ? reject(
          'zone_mismatch',
          `sensor ${sensorId} reports zone ${zoneId}, the reference data puts it in ${zone.id}`,
        )
      : reject('unknown_zone', `zone ${zoneId} is not in the reference data`);
  }

  // A reading without a unit (or with one this reader does not know) is read in the unit the
  // sensor is registered with.
  const mph = raw.speed_unit === 'MPH' || (raw.speed_unit === 'UNKNOWN' && sensor.unit === 'mph');
  const speedKmh = mph ? raw.speed * KMH_PER_MPH : raw.speed;
  if (speedKmh > MAX_SPEED_KMH) {
    return reject(
      'speed_out_of_range',
      `speed ${speedKmh.toFixed(1)} km/h is above ${MAX_SPEED_KMH}`,
    );
  }

  return {
    ok: true,
    value: {
      event_id: eventId,
      event_time: raw.event_time,
      sensor_id: sensorId,
      zone_id: zone.id,
      zone_name: zone.name,
      speed_kmh: speedKmh,
      vehicle_count: raw.vehicle_count,
      occupancy_pct: raw.occupancy_pct,
      speed_limit_kmh: zone.speedLimitKmh,
      capacity: zone.capacity,
      original_speed_unit: raw.speed_unit,
      source: raw.source,
      ingested_at: now,
    },
  };
}
