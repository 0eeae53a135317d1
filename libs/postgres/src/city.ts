import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The canonical city definition: reference/city.json, shared by the seed and the sensor generator. */
export const CITY_JSON_PATH = join(__dirname, '..', 'reference', 'city.json');

export type ZoneKind = 'center' | 'residential' | 'industrial' | 'highway';
export type SpeedUnit = 'kmh' | 'mph';
export type LineMode = 'bus' | 'tram' | 'metro';

export interface CityZone {
  id: string;
  name: string;
  kind: ZoneKind;
  speed_limit_kmh: number;
  /** vehicles per hour over all lanes */
  capacity: number;
  lanes: number;
}

export interface CitySensor {
  id: string;
  zone_id: string;
  /** the unit the sensor reports speeds in */
  unit: SpeedUnit;
  lanes: number;
}

export interface CityLine {
  id: string;
  name: string;
  mode: LineMode;
  /** passengers per vehicle */
  vehicle_capacity: number;
  vehicles: number;
  zone_ids: string[];
}

export interface CityDefinition {
  version: number;
  zones: CityZone[];
  sensors: CitySensor[];
  lines: CityLine[];
}

const ZONE_KINDS: readonly string[] = ['center', 'residential', 'industrial', 'highway'];
const UNITS: readonly string[] = ['kmh', 'mph'];
const MODES: readonly string[] = ['bus', 'tram', 'metro'];

/** Checks a parsed city definition; returns every problem found (empty when it is sound). */
export function validateCity(city: CityDefinition): string[] {
  const problems: string[] = [];
  const dup = (kind: string, ids: string[]): void => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) problems.push(`${kind} id ${id} is defined twice`);
      seen.add(id);
    }
  };
  dup(
    'zone',
    city.zones.map((z) => z.id),
  );
  dup(
    'sensor',
    city.sensors.map((s) => s.id),
  );
  dup(
    'line',
    city.lines.map((l) => l.id),
  );
  const zoneIds = new Set(city.zones.map((z) => z.id));
  const positive = (what: string, n: unknown): void => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0)
      problems.push(`${what} must be a positive integer`);
  };
  for (const z of city.zones) {
    if (!z.name) problems.push(`zone ${z.id} has no name`);
    if (!ZONE_KINDS.includes(z.kind)) problems.push(`zone ${z.id} has unknown kind ${z.kind}`);
    positive(`zone ${z.id} speed_limit_kmh`, z.speed_limit_kmh);
    positive(`zone ${z.id} capacity`, z.capacity);
    positive(`zone ${z.id} lanes`, z.lanes);
  }
  for (const s of city.sensors) {
    if (!zoneIds.has(s.zone_id)) problems.push(`sensor ${s.id} names unknown zone ${s.zone_id}`);
    if (!UNITS.includes(s.unit)) problems.push(`sensor ${s.id} has unknown unit ${s.unit}`);
    positive(`sensor ${s.id} lanes`, s.lanes);
  }
  for (const l of city.lines) {
    if (!MODES.includes(l.mode)) problems.push(`line ${l.id} has unknown mode ${l.mode}`);
    positive(`line ${l.id} vehicle_capacity`, l.vehicle_capacity);
    for (const z of l.zone_ids) {
      if (!zoneIds.has(z)) problems.push(`line ${l.id} names unknown zone ${z}`);
    }
  }
  return problems;
}

/** Reads and validates the city definition (reference/city.json unless another path is given). */
export function loadCity(path: string = CITY_JSON_PATH): CityDefinition {
  const city = JSON.parse(readFileSync(path, 'utf8')) as CityDefinition;
  const problems = validateCity(city);
  if (problems.length > 0) {
    throw new Error(`invalid city definition ${path}:\n  ${problems.join('\n  ')}`);
  }
  return city;
}
