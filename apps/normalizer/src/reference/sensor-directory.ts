import type { SensorContext, Zone } from '@citypulse/postgres';

/**
 * What the workers need from the reference data: the ReferenceDataRepository of libs/postgres
 * (cached, refreshed periodically) fits it; unit specs pass a map-backed one.
 */
export interface SensorDirectory {
  sensorContext(sensorId: string): SensorContext | undefined;
  zone(zoneId: string): Zone | undefined;
}
