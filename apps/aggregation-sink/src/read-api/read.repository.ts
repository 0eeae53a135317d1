import type { MobilityIndex5m, TrafficZoneAggregate5m } from '@citypulse/contracts';
import type { Pool } from 'pg';
import type { AggregateView } from '../aggregates/stored-shapes';

/** A traffic window as the REST API returns it (snake case, like the Avro contract). */
export type TrafficWindowView = AggregateView<TrafficZoneAggregate5m>;

/** A mobility-index window as the REST API returns it. */
export type MobilityView = AggregateView<MobilityIndex5m>;

const TRAFFIC_COLUMNS = `zone_id, zone_name, window_start, window_end, avg_speed_kmh, min_speed_kmh,
  max_speed_kmh, total_vehicle_flow, avg_occupancy_pct, congestion_score, readings, updated_at`;

type Row<T> = { [K in keyof T]: T[K] extends string ? string | Date : T[K] };

function iso<T extends object>(row: Row<T>): T {
  const out: Record<string, unknown> = { ...row };
  for (const [k, v] of Object.entries(out)) if (v instanceof Date) out[k] = v.toISOString();
  return out as T;
}

/** The read side, on PostgreSQL (the same windows as MongoDB; SQL makes "latest per zone" one query). */
export class ReadRepository {
  constructor(private readonly pool: Pool) {}

  /** Windows of one zone with from <= window_start < to, oldest first, at most `limit`. */
  async zoneWindows(
    zoneId: string,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<TrafficWindowView[]> {
    const { rows } = await this.pool.query<Row<TrafficWindowView>>(
      `SELECT ${TRAFFIC_COLUMNS} FROM traffic_window_aggregates
        WHERE zone_id = $1 AND window_start >= $2 AND window_start < $3
        ORDER BY window_start LIMIT $4`,
      [zoneId, from, to, limit],
    );
    return rows.map((r) => iso<TrafficWindowView>(r));
  }

  /**
   * The most recent window of every zone. A skip scan over the primary key (zone_id,
   * window_start): one index probe for each next zone and one for its latest window, so the cost
   * follows the number of zones, not of stored windows: 1.0 ms at a million rows, where
   * `DISTINCT ON`, which reads the whole table, took 1.5 s.
   */
  async latestPerZone(): Promise<TrafficWindowView[]> {
    const { rows } = await this.pool.query<Row<TrafficWindowView>>(
      `WITH RECURSIVE zones(zone_id) AS (
         (SELECT zone_id FROM traffic_window_aggregates ORDER BY zone_id LIMIT 1)
         UNION ALL
         SELECT (SELECT t.zone_id FROM traffic_window_aggregates t
                  WHERE t.zone_id > z.zone_id ORDER BY t.zone_id LIMIT 1)
           FROM zones z WHERE z.zone_id IS NOT NULL)
       SELECT w.* FROM zones z CROSS JOIN LATERAL (
         SELECT ${TRAFFIC_COLUMNS} FROM traffic_window_aggregates t
          WHERE t.zone_id = z.zone_id ORDER BY t.window_start DESC LIMIT 1) w
       ORDER BY w.zone_id`,
    );
    return rows.map((r) => iso<TrafficWindowView>(r));
  }

  async latestMobility(): Promise<MobilityView | undefined> {
    const { rows } = await this.pool.query<Row<MobilityView>>(
      `SELECT window_start, window_end, avg_speed_kmh, avg_occupancy_pct, mobility_index, category,
              zones, readings, updated_at
         FROM mobility_index ORDER BY window_start DESC LIMIT 1`,
    );
    return rows[0] && iso<MobilityView>(rows[0]);
  }
}
