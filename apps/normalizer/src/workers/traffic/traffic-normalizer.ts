import type { TrafficReadingNormalized, TrafficReadingRaw } from '@citypulse/contracts';
import { canonicalId } from '@citypulse/postgres';
import type { SensorDirectory } from '../../reference/sensor-directory';

export const KMH_PER_MPH = 1.609344;
export const MAX_SPEED_KMH = 250;
/** A reading stamped further in the future than this is a clock or device fault. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Why a raw reading was refused: a stable code for the DLQ headers and the metrics. */
export type TrafficRejectReason =
  | 'missing_event_id'
  | 'missing_sensor_id'
  | 'invalid_event_time'
  | 'event_time_in_future'
  | 'speed_out_of_range'
  | 'occupancy_out_of_range'
  | 'vehicle_count_out_of_range'
  | 'unknown_sensor'
  | 'inactive_sensor'
  | 'unknown_zone'
  | 'zone_mismatch';

export type TrafficResult =
  | { ok: true; value: TrafficReadingNormalized }
  | { ok: false; reason: TrafficRejectReason; message: string };

function reject(reason: TrafficRejectReason, message: string): TrafficResult {
  return { ok: false, reason, message };
}

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
  const eventId = raw.event_id.trim();
  if (!eventId) return reject('missing_event_id', 'event_id is empty');
  const sensorId = canonicalId(raw.sensor_id);
  if (!sensorId) return reject('missing_sensor_id', 'sensor_id is empty');

  if (!Number.isSafeInteger(raw.event_time) || raw.event_time <= 0) {
    return reject(
      'invalid_event_time',
      `event_time ${raw.event_time} is not a positive epoch millis`,
    );
  }
  if (raw.event_time > now + MAX_CLOCK_SKEW_MS) {
    return reject(
      'event_time_in_future',
      `event_time ${new Date(raw.event_time).toISOString()} is more than 5 min after now (${new Date(now).toISOString()})`,
    );
  }
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
