import type { AggregateSpec, PgType } from '../aggregates/aggregate-spec';
import type { AggregateWindow } from '../aggregates/windows';

/**
 * The PostgreSQL statements of an aggregate, built from its spec: the columns are the contract's
 * fields (snake_case, the Avro names), the conflict target is the topic's key, the version is
 * updated_at. Names are checked identifiers (defineAggregate) and are quoted anyway, so a field
 * that happens to be an SQL keyword still works.
 */

/** Every aggregate table has this column besides the contract's: when the sink last wrote the row. */
export const WRITTEN_AT = 'written_at';

export function ident(name: string): string {
  return `"${name}"`;
}

const cache = new WeakMap<AggregateSpec, string>();

/**
 * One conditional upsert per batch: the batch as one array per column, unnested into rows; a row
 * is inserted, or replaced only by a strictly newer version, so a replay changes nothing and an
 * older update never overwrites a newer one. The batch must hold one update per key
 * (newestPerKey): PostgreSQL refuses to upsert one row twice in a statement. Each returned row
 * says whether it was inserted (xmax = 0) or updated; keys missing from the answer were left alone.
 */
export function upsertStatement(spec: AggregateSpec): string {
  let sql = cache.get(spec);
  if (sql === undefined) {
    const key = new Set(spec.keyFields);
    const set = spec.columns
      .filter((c) => !key.has(c.name))
      .map((c) => `${ident(c.name)} = excluded.${ident(c.name)}`);
    sql = [
      `INSERT INTO ${ident(spec.table)} AS t (${spec.columns.map((c) => ident(c.name)).join(', ')})`,
      `SELECT * FROM unnest(${spec.columns.map((c, i) => `$${i + 1}::${c.pg}[]`).join(', ')})`,
      `ON CONFLICT (${spec.keyFields.map(ident).join(', ')}) DO UPDATE SET`,
      `  ${[...set, `${ident(WRITTEN_AT)} = now()`].join(', ')}`,
      `WHERE excluded.${ident(spec.version)} > t.${ident(spec.version)}`,
      'RETURNING (xmax = 0) AS inserted',
    ].join('\n');
    cache.set(spec, sql);
  }
  return sql;
}

/** The parameters of upsertStatement: one array per column, in column order. */
export function upsertParams(
  spec: AggregateSpec,
  windows: readonly AggregateWindow<unknown>[],
): unknown[][] {
  return spec.columns.map((c) =>
    windows.map((w) => (w.fields as Record<string, unknown>)[c.name] ?? null),
  );
}

/** How format_type() names each column type. */
const FORMAT_TYPE: Record<PgType, string> = {
  text: 'text',
  float8: 'double precision',
  bigint: 'bigint',
  int: 'integer',
  timestamptz: 'timestamp with time zone',
  boolean: 'boolean',
};

/** The columns of tables as the database has them (resolved like the statements: search_path). */
export const TABLE_COLUMNS_QUERY = `SELECT n.name AS table_name, a.attname AS column_name,
       format_type(a.atttypid, NULL) AS type, a.attnotnull AS not_null
  FROM unnest($1::text[]) AS n(name)
  JOIN pg_attribute a ON a.attrelid = to_regclass(quote_ident(n.name))
 WHERE a.attnum > 0 AND NOT a.attisdropped`;

export interface TableColumn {
  table_name: string;
  column_name: string;
  type: string;
  not_null: boolean;
}

/**
 * What the database's table lacks for the spec: a missing table, a missing column, another type,
 * NOT NULL on a field the contract lets be null. Empty when the statements will fit; checked at
 * start, so a contract change without its migration stops the sink before it consumes anything.
 */
export function tableProblems(spec: AggregateSpec, actual: readonly TableColumn[]): string[] {
  const mine = new Map(
    actual.filter((a) => a.table_name === spec.table).map((a) => [a.column_name, a]),
  );
  if (mine.size === 0) return [`table ${spec.table} does not exist`];
  const wanted = [
    ...spec.columns,
    { name: WRITTEN_AT, pg: 'timestamptz' as const, nullable: false },
  ];
  return wanted.flatMap((c) => {
    const a = mine.get(c.name);
    if (!a) return [`${spec.table}.${c.name} is missing`];
    if (a.type !== FORMAT_TYPE[c.pg])
      return [`${spec.table}.${c.name} is ${a.type}, the contract needs ${FORMAT_TYPE[c.pg]}`];
    if (c.nullable && a.not_null)
      return [`${spec.table}.${c.name} is NOT NULL, the contract allows null`];
    return [];
  });
}
