import type { Pool } from 'pg';
import type { MobilityWindow, TrafficWindow } from '../aggregates/windows';
import { EMPTY_RESULT, type WriteResult } from './write-result';

/**
 * Conditional upserts into traffic_window_aggregates and mobility_index (libs/postgres
 * migrations): one statement per batch, a row only replaced by a strictly newer updated_at.
 * Callers pass at most one item per key (newestPerKey) — PostgreSQL refuses to upsert a row twice
 * in one statement.
 */
export class PgAggregatesStore {
  constructor(private readonly pool: Pool) {}

  async upsertTraffic(windows: readonly TrafficWindow[]): Promise<WriteResult> {
    if (windows.length === 0) return EMPTY_RESULT;
    const col = <K extends keyof TrafficWindow>(k: K): TrafficWindow[K][] =>
      windows.map((w) => w[k]);
    const { rows } = await this.pool.query<{ inserted: boolean }>(
      `INSERT INTO traffic_window_aggregates AS t (
         zone_id, window_start, window_end, zone_name, avg_speed_kmh, min_speed_kmh, max_speed_kmh,
         total_vehicle_flow, avg_occupancy_pct, congestion_score, readings, updated_at, event_id)
       SELECT * FROM unnest(
         $1::text[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::float8[], $6::float8[],
         $7::float8[], $8::bigint[], $9::float8[], $10::float8[], $11::bigint[], $12::timestamptz[],
         $13::text[])
       ON CONFLICT (zone_id, window_start) DO UPDATE SET
         window_end = excluded.window_end, zone_name = excluded.zone_name,
         avg_speed_kmh = excluded.avg_speed_kmh, min_speed_kmh = excluded.min_speed_kmh,
         max_speed_kmh = excluded.max_speed_kmh, total_vehicle_flow = excluded.total_vehicle_flow,
         avg_occupancy_pct = excluded.avg_occupancy_pct, congestion_score = excluded.congestion_score,
         readings = excluded.readings, updated_at = excluded.updated_at, event_id = excluded.event_id,
         written_at = now()
       WHERE excluded.updated_at > t.updated_at
       RETURNING (xmax = 0) AS inserted`,
      [
        col('zoneId'),
        col('windowStart'),
        col('windowEnd'),
        col('zoneName'),
        col('avgSpeedKmh'),
        col('minSpeedKmh'),
        col('maxSpeedKmh'),
        col('totalVehicleFlow'),
        col('avgOccupancyPct'),
        col('congestionScore'),
        col('readings'),
        col('updatedAt'),
        col('eventId'),
      ],
    );
    return tally(windows.length, rows);
  }

  async upsertMobility(windows: readonly MobilityWindow[]): Promise<WriteResult> {
    if (windows.length === 0) return EMPTY_RESULT;
    const col = <K extends keyof MobilityWindow>(k: K): MobilityWindow[K][] =>
      windows.map((w) => w[k]);
    const { rows } = await this.pool.query<{ inserted: boolean }>(
      `INSERT INTO mobility_index AS t (
         window_start, window_end, avg_speed_kmh, avg_occupancy_pct, mobility_index, category,
         zones, readings, updated_at, event_id)
       SELECT * FROM unnest(
         $1::timestamptz[], $2::timestamptz[], $3::float8[], $4::float8[], $5::float8[], $6::text[],
         $7::int[], $8::bigint[], $9::timestamptz[], $10::text[])
       ON CONFLICT (window_start) DO UPDATE SET
         window_end = excluded.window_end, avg_speed_kmh = excluded.avg_speed_kmh,
         avg_occupancy_pct = excluded.avg_occupancy_pct, mobility_index = excluded.mobility_index,
         category = excluded.category, zones = excluded.zones, readings = excluded.readings,
         updated_at = excluded.updated_at, event_id = excluded.event_id, written_at = now()
       WHERE excluded.updated_at > t.updated_at
       RETURNING (xmax = 0) AS inserted`,
      [
        col('windowStart'),
        col('windowEnd'),
        col('avgSpeedKmh'),
        col('avgOccupancyPct'),
        col('mobilityIndex'),
        col('category'),
        col('zones'),
        col('readings'),
        col('updatedAt'),
        col('eventId'),
      ],
    );
    return tally(windows.length, rows);
  }
}

function tally(total: number, rows: { inserted: boolean }[]): WriteResult {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted, unchanged: total - rows.length };
}
