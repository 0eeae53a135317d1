import type { PoolClient } from 'pg';
import type { CityDefinition } from './city';

export interface SeedResult {
  /** rows inserted or changed, per table (0 everywhere on a re-run with the same city) */
  zones: number;
  sensors: number;
  lines: number;
}

/**
 * Upserts the city's zones, sensors and lines. Idempotent: a row is only rewritten (and its
 * updated_at moved) when a value differs. Rows absent from the city are left alone.
 */
export async function seedReferenceData(
  client: PoolClient,
  city: CityDefinition,
): Promise<SeedResult> {
  const zones = await client.query(
    `INSERT INTO zones (id, name, kind, speed_limit_kmh, capacity, lanes)
     SELECT id, name, kind, speed_limit_kmh, capacity, lanes
       FROM jsonb_to_recordset($1::jsonb)
         AS z(id text, name text, kind text, speed_limit_kmh int, capacity int, lanes int)
     ON CONFLICT (id) DO UPDATE SET
       name = excluded.name, kind = excluded.kind, speed_limit_kmh = excluded.speed_limit_kmh,
       capacity = excluded.capacity, lanes = excluded.lanes, updated_at = now()
     WHERE (zones.name, zones.kind, zones.speed_limit_kmh, zones.capacity, zones.lanes)
       IS DISTINCT FROM (excluded.name, excluded.kind, excluded.speed_limit_kmh, excluded.capacity, excluded.lanes)`,
    [JSON.stringify(city.zones)],
  );
  const sensors = await client.query(
    `INSERT INTO sensors (id, zone_id, unit, lanes)
     SELECT id, zone_id, unit, lanes
       FROM jsonb_to_recordset($1::jsonb) AS s(id text, zone_id text, unit text, lanes int)
     ON CONFLICT (id) DO UPDATE SET
       zone_id = excluded.zone_id, unit = excluded.unit, lanes = excluded.lanes, active = true,
       updated_at = now()
     WHERE (sensors.zone_id, sensors.unit, sensors.lanes, sensors.active)
       IS DISTINCT FROM (excluded.zone_id, excluded.unit, excluded.lanes, true)`,
    [JSON.stringify(city.sensors)],
  );
  const lines = await client.query(
    `INSERT INTO transport_lines (id, name, mode, vehicle_capacity, vehicles, zone_ids)
     SELECT id, name, mode, vehicle_capacity, vehicles,
            ARRAY(SELECT jsonb_array_elements_text(zone_ids))
       FROM jsonb_to_recordset($1::jsonb)
         AS l(id text, name text, mode text, vehicle_capacity int, vehicles int, zone_ids jsonb)
     ON CONFLICT (id) DO UPDATE SET
       name = excluded.name, mode = excluded.mode, vehicle_capacity = excluded.vehicle_capacity,
       vehicles = excluded.vehicles, zone_ids = excluded.zone_ids, updated_at = now()
     WHERE (transport_lines.name, transport_lines.mode, transport_lines.vehicle_capacity,
            transport_lines.vehicles, transport_lines.zone_ids)
       IS DISTINCT FROM (excluded.name, excluded.mode, excluded.vehicle_capacity,
            excluded.vehicles, excluded.zone_ids)`,
    [JSON.stringify(city.lines)],
  );
  return { zones: zones.rowCount ?? 0, sensors: sensors.rowCount ?? 0, lines: lines.rowCount ?? 0 };
}
