import type { SensorContext, TransportLine, Zone } from '@citypulse/postgres';

/*
 * What each worker reads from the reference data. Lookups take ids in any case and with
 * surrounding whitespace (canonicalId). The snapshot the city loader gives (libs/postgres'
 * ReferenceDataRepository) fits all of them; unit specs pass a map-backed one (testing/).
 */

export interface ZoneDirectory {
  zone(zoneId: string): Zone | undefined;
}

export interface SensorDirectory extends ZoneDirectory {
  sensorContext(sensorId: string): SensorContext | undefined;
}

export interface LineDirectory {
  line(lineId: string): TransportLine | undefined;
}

/** Zones, sensors and transport lines: the whole city as PostgreSQL holds it. */
export interface CityReference extends SensorDirectory, LineDirectory {}
