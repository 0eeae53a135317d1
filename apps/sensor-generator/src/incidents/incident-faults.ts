import { IncidentStatus, IncidentType, Severity, type IncidentRaw } from '@citypulse/contracts';
import { farFuture, faultProfile, type SimRecord } from '@citypulse/simulation';
import { CITY_CENTRE } from '../city/geography';

/**
 * Incident reports: keyed by incident id. The id is the reporter's and its case matters (the
 * normalizer only trims it), so messy devices garble the zone id only.
 */
export const INCIDENT_FAULTS = faultProfile({
  rngLabel: 'faults/incidents',
  keyOf: (v: IncidentRaw) => v.incident_id.trim(),
  messyFields: ['zone_id'],
  corruptions: {
    unknown_zone: () => ({ zone_id: 'Z99' }),
    far_future: farFuture,
    unknown_type: () => ({ incident_type: IncidentType.UNKNOWN }),
    unknown_severity: () => ({ severity: Severity.UNKNOWN }),
    unknown_status: () => ({ status: IncidentStatus.UNKNOWN }),
    half_coordinates: (v) => ({ latitude: v.latitude ?? CITY_CENTRE.lat, longitude: null }),
    latitude_out_of_range: (v) => ({ latitude: 123.4, longitude: v.longitude ?? CITY_CENTRE.lon }),
  },
});

/** Impossible incident reports, each one the normalizer refuses. */
export const INCIDENT_MALFORMED_VARIANTS = INCIDENT_FAULTS.malformedVariants;
export type IncidentMalformedVariant = (typeof INCIDENT_MALFORMED_VARIANTS)[number];

export type IncidentRecord = SimRecord<IncidentRaw, IncidentMalformedVariant>;

export const corruptReport = INCIDENT_FAULTS.corrupt;

export const INCIDENT_NUMERIC_FIELDS = ['event_time', 'latitude', 'longitude'];
