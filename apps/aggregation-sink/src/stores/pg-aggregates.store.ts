import type { ValueOf } from '@citypulse/contracts';
import type { Pool } from 'pg';
import type { AggregateSpec, AggregateStream } from '../aggregates/aggregate-spec';
import type { AggregateWindow } from '../aggregates/windows';
import {
  TABLE_COLUMNS_QUERY,
  tableProblems,
  upsertParams,
  upsertStatement,
  type TableColumn,
} from './pg-statements';
import { EMPTY_RESULT, type WriteResult } from './write-result';

/**
 * Conditional upserts into the aggregates' tables (libs/postgres migrations): one statement per
 * batch, a row only replaced by a strictly newer updated_at (pg-statements.ts builds it from the
 * spec). Callers pass at most one item per key (newestPerKey) — PostgreSQL refuses to upsert a
 * row twice in one statement.
 */
export class PgAggregatesStore {
  constructor(private readonly pool: Pool) {}

  async upsert<S extends AggregateStream>(
    spec: AggregateSpec<S>,
    windows: readonly AggregateWindow<ValueOf<S>>[],
  ): Promise<WriteResult> {
    if (windows.length === 0) return EMPTY_RESULT;
    const { rows } = await this.pool.query<{ inserted: boolean }>(
      upsertStatement(spec),
      upsertParams(spec, windows),
    );
    return tally(windows.length, rows);
  }

  /** What the tables lack for the specs (empty: every statement fits); see tableProblems. */
  async tableProblems(specs: readonly AggregateSpec[]): Promise<string[]> {
    const { rows } = await this.pool.query<TableColumn>(TABLE_COLUMNS_QUERY, [
      specs.map((s) => s.table),
    ]);
    return specs.flatMap((s) => tableProblems(s, rows));
  }
}

function tally(total: number, rows: { inserted: boolean }[]): WriteResult {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted, unchanged: total - rows.length };
}
