import {
  VehicleType,
  type TransportVehicleStatusNormalized,
  type TransportVehicleStatusRaw,
} from '@citypulse/contracts';
import { canonicalId, type TransportLine } from '@citypulse/postgres';
import type { LineDirectory } from '../../reference/directories';
import {
  checkEventId,
  checkEventTime,
  coordinatesProblem,
  ENVELOPE_REJECT_REASONS,
  reject,
} from '../../runtime/checks';
import type { NormalizeResult } from '../../runtime/stream-definition';

/** A vehicle more than an hour ahead of its timetable is on another trip, not early. */
export const MIN_DELAY_SECONDS = -3_600;
/** A vehicle more than four hours behind its timetable is on another trip, not late. */
export const MAX_DELAY_SECONDS = 4 * 3_600;
/** On time: at most 1 min early and at most 5 min late (the punctuality the aggregates count). */
export const ON_TIME_EARLY_SECONDS = 60;
export const ON_TIME_LATE_SECONDS = 300;

/** Why a raw vehicle status was refused: a stable code for the DLQ headers and the metrics. */
export const TRANSPORT_REJECT_REASONS = [
  ...ENVELOPE_REJECT_REASONS,
  'missing_vehicle_id',
  'missing_line_id',
  'invalid_coordinates',
  'delay_out_of_range',
  'passenger_count_out_of_range',
  'unknown_line',
  'vehicle_type_mismatch',
] as const;
export type TransportRejectReason = (typeof TRANSPORT_REJECT_REASONS)[number];

/** Reasons a newer reference snapshot might turn into an accepted status. */
export const TRANSPORT_REFERENCE_MISSES: readonly TransportRejectReason[] = [
  'unknown_line',
  'vehicle_type_mismatch',
];

export type TransportResult = NormalizeResult<
  TransportVehicleStatusNormalized,
  TransportRejectReason
>;

/** The vehicle type a line's mode ('bus', 'tram', 'metro' in PostgreSQL) runs, if it is one. */
export function vehicleTypeOfMode(mode: string): VehicleType | undefined {
  const symbol = mode.trim().toUpperCase();
  return symbol !== VehicleType.UNKNOWN && symbol in VehicleType
    ? VehicleType[symbol as keyof typeof VehicleType]
    : undefined;
}

/**
 * Validates one raw vehicle status and turns it into the normalized one: ids trimmed and
 * upper-cased, coordinates a real WGS84 fix, delay within -1 h..+4 h, passengers 0..the line's
 * vehicle capacity, the line known, and the vehicle type the one the line's mode runs (a status
 * without a type — UNKNOWN — takes the line's). Enriched with the line's name and vehicle
 * capacity, the occupancy that gives, and whether the vehicle is on time (-1 min..+5 min).
 * `zone_id` stays null: the reference data places lines in zones, not positions.
 */
export function normalizeTransport(
  raw: TransportVehicleStatusRaw,
  lines: LineDirectory,
  now: number,
): TransportResult {
  const badId = checkEventId(raw);
  if (badId) return badId;
  const vehicleId = canonicalId(raw.vehicle_id);
  if (!vehicleId) return reject('missing_vehicle_id', 'vehicle_id is empty');
  const lineId = canonicalId(raw.line_id);
  if (!lineId) return reject('missing_line_id', 'line_id is empty');
  const badTime = checkEventTime(raw, now);
  if (badTime) return badTime;
  const where = coordinatesProblem(raw.latitude, raw.longitude);
  if (where) return reject('invalid_coordinates', where);
  const delay = raw.delay_seconds;
  if (!Number.isInteger(delay) || delay < MIN_DELAY_SECONDS || delay > MAX_DELAY_SECONDS) {
    return reject(
      'delay_out_of_range',
      `delay_seconds ${delay} is outside ${MIN_DELAY_SECONDS}..${MAX_DELAY_SECONDS}`,
    );
  }
  if (!Number.isInteger(raw.passenger_count) || raw.passenger_count < 0) {
    return reject(
      'passenger_count_out_of_range',
      `passenger_count ${raw.passenger_count} is not a count >= 0`,
    );
  }

  const line = lines.line(lineId);
  if (!line) return reject('unknown_line', `line ${lineId} is not in the reference data`);
  const vehicleType = matchVehicleType(raw.vehicle_type, line);
  if (!vehicleType) {
    return reject(
      'vehicle_type_mismatch',
      `vehicle ${vehicleId} reports type ${raw.vehicle_type}, line ${line.id} runs mode ${line.mode}`,
    );
  }
  const capacity = line.vehicleCapacity;
  if (raw.passenger_count > capacity) {
    return reject(
      'passenger_count_out_of_range',
      `passenger_count ${raw.passenger_count} is above the ${capacity} a line ${line.id} vehicle carries`,
    );
  }

  return {
    ok: true,
    value: {
      event_id: raw.event_id.trim(),
      event_time: raw.event_time,
      vehicle_id: vehicleId,
      line_id: line.id,
      line_name: line.name,
      vehicle_type: vehicleType,
      zone_id: null,
      latitude: raw.latitude,
      longitude: raw.longitude,
      delay_seconds: delay,
      on_time: delay >= -ON_TIME_EARLY_SECONDS && delay <= ON_TIME_LATE_SECONDS,
      passenger_count: raw.passenger_count,
      capacity,
      occupancy_pct: (raw.passenger_count / capacity) * 100,
      source: raw.source,
      ingested_at: now,
    },
  };
}

/** The reported type if the line's mode runs it; UNKNOWN reads as the line's; else undefined. */
function matchVehicleType(reported: VehicleType, line: TransportLine): VehicleType | undefined {
  const expected = vehicleTypeOfMode(line.mode);
  if (!expected) return undefined;
  return reported === VehicleType.UNKNOWN || reported === expected ? expected : undefined;
}
