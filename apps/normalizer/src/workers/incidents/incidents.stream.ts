import { cityReference } from '../../reference/city-reference';
import type { ZoneDirectory } from '../../reference/directories';
import type { StreamDefinition } from '../../runtime/stream-definition';
import {
  INCIDENT_REFERENCE_MISSES,
  INCIDENT_REJECT_REASONS,
  normalizeIncident,
  type IncidentRejectReason,
} from './incident-normalizer';

/** Incident reports and updates: incidentsRaw -> incidentsNormalized, enriched from zones. */
export const incidentsStream = {
  name: 'incidents',
  raw: 'incidentsRaw',
  normalized: 'incidentsNormalized',
  reference: cityReference,
  rejectReasons: INCIDENT_REJECT_REASONS,
  referenceMisses: INCIDENT_REFERENCE_MISSES,
  normalize: normalizeIncident,
} satisfies StreamDefinition<
  'incidentsRaw',
  'incidentsNormalized',
  ZoneDirectory,
  IncidentRejectReason
>;
