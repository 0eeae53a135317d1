import {
  IncidentStatus,
  IncidentType,
  Severity,
  type IncidentNormalized,
  type IncidentRaw,
} from '@citypulse/contracts';
import { canonicalId } from '@citypulse/postgres';
import type { ZoneDirectory } from '../../reference/directories';
import {
  checkEventId,
  checkEventTime,
  coordinatesProblem,
  ENVELOPE_REJECT_REASONS,
  optionalText,
  reject,
} from '../../runtime/checks';
import type { NormalizeResult } from '../../runtime/stream-definition';

/** Why a raw incident report was refused: a stable code for the DLQ headers and the metrics. */
export const INCIDENT_REJECT_REASONS = [
  ...ENVELOPE_REJECT_REASONS,
  'missing_incident_id',
  'missing_zone_id',
  'unknown_incident_type',
  'unknown_severity',
  'unknown_status',
  'invalid_coordinates',
  'unknown_zone',
] as const;
export type IncidentRejectReason = (typeof INCIDENT_REJECT_REASONS)[number];

/** Reasons a newer reference snapshot might turn into an accepted report. */
export const INCIDENT_REFERENCE_MISSES: readonly IncidentRejectReason[] = ['unknown_zone'];

export type IncidentResult = NormalizeResult<IncidentNormalized, IncidentRejectReason>;

/**
 * Validates one raw incident report and turns it into the normalized one: the event and
 * incident ids trimmed (an incident id is the reporter's, so its case is kept), the zone id
 * canonical (trimmed, upper case) and known, type, severity and status each a real symbol (not
 * UNKNOWN — what a reader makes of a symbol it does not know), and coordinates, when given, a
 * WGS84 pair (both or neither). Enriched with the zone's name; the description is trimmed and
 * null when empty.
 */
export function normalizeIncident(
  raw: IncidentRaw,
  zones: ZoneDirectory,
  now: number,
): IncidentResult {
  const badId = checkEventId(raw);
  if (badId) return badId;
  const incidentId = raw.incident_id.trim();
  if (!incidentId) return reject('missing_incident_id', 'incident_id is empty');
  const zoneId = canonicalId(raw.zone_id);
  if (!zoneId) return reject('missing_zone_id', 'zone_id is empty');
  const badTime = checkEventTime(raw, now);
  if (badTime) return badTime;
  if (raw.incident_type === IncidentType.UNKNOWN) {
    return reject('unknown_incident_type', 'incident_type is UNKNOWN');
  }
  if (raw.severity === Severity.UNKNOWN) return reject('unknown_severity', 'severity is UNKNOWN');
  if (raw.status === IncidentStatus.UNKNOWN) return reject('unknown_status', 'status is UNKNOWN');
  const { latitude, longitude } = raw;
  if (latitude !== null || longitude !== null) {
    if (latitude === null || longitude === null) {
      return reject(
        'invalid_coordinates',
        `${latitude === null ? 'longitude' : 'latitude'} is given without ${latitude === null ? 'latitude' : 'longitude'}`,
      );
    }
    const where = coordinatesProblem(latitude, longitude);
    if (where) return reject('invalid_coordinates', where);
  }

  const zone = zones.zone(zoneId);
  if (!zone) return reject('unknown_zone', `zone ${zoneId} is not in the reference data`);

  return {
    ok: true,
    value: {
      event_id: raw.event_id.trim(),
      event_time: raw.event_time,
      incident_id: incidentId,
      zone_id: zone.id,
      zone_name: zone.name,
      incident_type: raw.incident_type,
      severity: raw.severity,
      status: raw.status,
      latitude,
      longitude,
      description: optionalText(raw.description),
      source: raw.source,
      ingested_at: now,
    },
  };
}
