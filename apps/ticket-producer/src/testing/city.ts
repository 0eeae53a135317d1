import { loadCity, type CityDefinition } from '@citypulse/postgres';

let city: CityDefinition | undefined;

/** The canonical city (libs/postgres reference/city.json), read once per test file. */
export function testCity(): CityDefinition {
  city ??= loadCity();
  return city;
}
