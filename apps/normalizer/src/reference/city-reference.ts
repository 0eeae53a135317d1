import { ReferenceDataRepository } from '@citypulse/postgres';
import type { CityReference } from './directories';
import type { ReferenceLoader } from './reference-cache';

/**
 * Zones, sensors and transport lines (libs/postgres' tables) as one snapshot. Each load reads
 * them through libs/postgres' ReferenceDataRepository — its queries and canonical-id lookups —
 * used once, without its own timer: the worker runtime's ReferenceCache does the refreshing.
 * The tables are small (a city has tens of zones and lines), so every stream loads all three and
 * reads what it needs through its directory interface.
 */
export const cityReference: ReferenceLoader<CityReference> = {
  async load(pool) {
    const snapshot = new ReferenceDataRepository(pool, { refreshIntervalMs: 0 });
    await snapshot.refresh();
    return {
      data: snapshot,
      summary: `${snapshot.zones().length} zones, ${snapshot.sensors().length} sensors, ${snapshot.lines().length} transport lines`,
    };
  },
};
