import type { TransportVehicleStatusRaw } from '@citypulse/contracts';
import type { FaultProfile, SimRecord } from '@citypulse/simulation';

/** Impossible vehicle statuses, each one the normalizer refuses. */
export const TRANSPORT_MALFORMED_VARIANTS = [
  'negative_passengers',
  'passengers_over_capacity',
  'delay_out_of_range',
  'null_island',
  'latitude_out_of_range',
  'nan_longitude',
  'far_future',
  'unknown_line',
  'wrong_vehicle_type',
] as const;
export type TransportMalformedVariant = (typeof TRANSPORT_MALFORMED_VARIANTS)[number];

export type TransportRecord = SimRecord<TransportVehicleStatusRaw, TransportMalformedVariant>;

export function corruptStatus(
  value: TransportVehicleStatusRaw,
  variant: TransportMalformedVariant,
): TransportVehicleStatusRaw {
  const v = { ...value };
  switch (variant) {
    case 'negative_passengers':
      v.passenger_count = -4;
      break;
    case 'passengers_over_capacity':
      // more than any vehicle of the city carries (the largest, a metro, takes 900)
      v.passenger_count = 5_000;
      break;
    case 'delay_out_of_range':
      v.delay_seconds = 86_400;
      break;
    case 'null_island':
      v.latitude = 0;
      v.longitude = 0;
      break;
    case 'latitude_out_of_range':
      v.latitude = 123.4;
      break;
    case 'nan_longitude':
      v.longitude = Number.NaN;
      break;
    case 'far_future':
      v.event_time = value.event_time + 400 * 24 * 3_600_000;
      break;
    case 'unknown_line':
      v.line_id = 'X99';
      v.vehicle_id = 'X99-V01';
      break;
    case 'wrong_vehicle_type':
      // no line of the city runs ferries
      v.vehicle_type = 'FERRY';
      break;
  }
  return v;
}

/** Vehicle statuses: keyed by vehicle id; messy devices garble vehicle and line ids. */
export const TRANSPORT_FAULTS: FaultProfile<TransportVehicleStatusRaw, TransportMalformedVariant> =
  {
    rngLabel: 'faults/transport',
    keyOf: (v) => v.vehicle_id.trim().toUpperCase(),
    messyFields: ['vehicle_id', 'line_id'],
    malformedVariants: TRANSPORT_MALFORMED_VARIANTS,
    corrupt: corruptStatus,
  };

export const TRANSPORT_NUMERIC_FIELDS = [
  'event_time',
  'latitude',
  'longitude',
  'delay_seconds',
  'passenger_count',
];
