import type { IncidentRaw } from '@citypulse/contracts';
import type { FaultProfile, SimRecord } from '@citypulse/simulation';
import { CITY_CENTRE } from '../city/geography';

/** Impossible incident reports, each one the normalizer refuses. */
export const INCIDENT_MALFORMED_VARIANTS = [
  'unknown_zone',
  'far_future',
  'unknown_type',
  'unknown_severity',
  'unknown_status',
  'half_coordinates',
  'latitude_out_of_range',
] as const;
export type IncidentMalformedVariant = (typeof INCIDENT_MALFORMED_VARIANTS)[number];

export type IncidentRecord = SimRecord<IncidentRaw, IncidentMalformedVariant>;

export function corruptReport(value: IncidentRaw, variant: IncidentMalformedVariant): IncidentRaw {
  const v = { ...value };
  switch (variant) {
    case 'unknown_zone':
      v.zone_id = 'Z99';
      break;
    case 'far_future':
      v.event_time = value.event_time + 400 * 24 * 3_600_000;
      break;
    case 'unknown_type':
      v.incident_type = 'UNKNOWN';
      break;
    case 'unknown_severity':
      v.severity = 'UNKNOWN';
      break;
    case 'unknown_status':
      v.status = 'UNKNOWN';
      break;
    case 'half_coordinates':
      v.latitude = value.latitude ?? CITY_CENTRE.lat;
      v.longitude = null;
      break;
    case 'latitude_out_of_range':
      v.latitude = 123.4;
      v.longitude = value.longitude ?? CITY_CENTRE.lon;
      break;
  }
  return v;
}

/**
 * Incident reports: keyed by incident id. The id is the reporter's and its case matters (the
 * normalizer only trims it), so messy devices garble the zone id only.
 */
export const INCIDENT_FAULTS: FaultProfile<IncidentRaw, IncidentMalformedVariant> = {
  rngLabel: 'faults/incidents',
  keyOf: (v) => v.incident_id.trim(),
  messyFields: ['zone_id'],
  malformedVariants: INCIDENT_MALFORMED_VARIANTS,
  corrupt: corruptReport,
};

export const INCIDENT_NUMERIC_FIELDS = ['event_time', 'latitude', 'longitude'];
