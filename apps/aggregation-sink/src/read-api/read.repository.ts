import type { ValueOf } from '@citypulse/contracts';
import type { Pool } from 'pg';
import type { AggregateSpec, AggregateStream } from '../aggregates/aggregate-spec';
import type { AggregateView } from '../aggregates/stored-shapes';
import { latestQuery, windowsQuery } from './read-queries';
import type { WindowsRequest } from './windows-request';

/** A window as the REST API returns it (snake case, like the Avro contract). */
export type WindowView<S extends AggregateStream> = AggregateView<ValueOf<S>>;

/** A page of one series' windows, and whether the range holds more after it. */
export interface WindowsPage<S extends AggregateStream> {
  windows: WindowView<S>[];
  more: boolean;
}

function iso<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...row };
  for (const [k, v] of Object.entries(out)) if (v instanceof Date) out[k] = v.toISOString();
  return out as T;
}

/**
 * The read side, on PostgreSQL (the same windows as MongoDB; SQL makes "latest per series" one
 * query). Both queries are served by the primary key (read-queries.ts).
 */
export class ReadRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Windows of one series with from <= window_start < to, oldest first, at most `limit`, and
   * whether the range holds more (one row beyond the page is read to know).
   */
  async windows<S extends AggregateStream>(
    spec: AggregateSpec<S>,
    { series, range }: WindowsRequest,
  ): Promise<WindowsPage<S>> {
    const { rows } = await this.pool.query<Record<string, unknown>>(windowsQuery(spec), [
      ...spec.seriesFields.map((f) => series[f]),
      range.from,
      range.to,
      range.limit + 1,
    ]);
    return {
      windows: rows.slice(0, range.limit).map((r) => iso<WindowView<S>>(r)),
      more: rows.length > range.limit,
    };
  }

  /** The most recent window of every series (of the whole aggregate, when it has no series). */
  async latest<S extends AggregateStream>(spec: AggregateSpec<S>): Promise<WindowView<S>[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(latestQuery(spec));
    return rows.map((r) => iso<WindowView<S>>(r));
  }
}
