import { VehicleType, type TransportVehicleStatusRaw } from '@citypulse/contracts';
import { farFuture, faultProfile, type SimRecord } from '@citypulse/simulation';

/** Vehicle statuses: keyed by vehicle id; messy devices garble vehicle and line ids. */
export const TRANSPORT_FAULTS = faultProfile({
  rngLabel: 'faults/transport',
  keyOf: (v: TransportVehicleStatusRaw) => v.vehicle_id.trim().toUpperCase(),
  messyFields: ['vehicle_id', 'line_id'],
  corruptions: {
    negative_passengers: () => ({ passenger_count: -4 }),
    // more than any vehicle of the city carries (the largest, a metro, takes 900)
    passengers_over_capacity: () => ({ passenger_count: 5_000 }),
    delay_out_of_range: () => ({ delay_seconds: 86_400 }),
    null_island: () => ({ latitude: 0, longitude: 0 }),
    latitude_out_of_range: () => ({ latitude: 123.4 }),
    nan_longitude: () => ({ longitude: Number.NaN }),
    far_future: farFuture,
    unknown_line: () => ({ line_id: 'X99', vehicle_id: 'X99-V01' }),
    // no line of the city runs ferries
    wrong_vehicle_type: () => ({ vehicle_type: VehicleType.FERRY }),
  },
});

/** Impossible vehicle statuses, each one the normalizer refuses. */
export const TRANSPORT_MALFORMED_VARIANTS = TRANSPORT_FAULTS.malformedVariants;
export type TransportMalformedVariant = (typeof TRANSPORT_MALFORMED_VARIANTS)[number];

export type TransportRecord = SimRecord<TransportVehicleStatusRaw, TransportMalformedVariant>;

export const corruptStatus = TRANSPORT_FAULTS.corrupt;

export const TRANSPORT_NUMERIC_FIELDS = [
  'event_time',
  'latitude',
  'longitude',
  'delay_seconds',
  'passenger_count',
];
