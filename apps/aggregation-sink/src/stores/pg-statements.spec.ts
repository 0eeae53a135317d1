import { readMigrations } from '@citypulse/postgres';
import { sampleIncidentsUpdate } from '../aggregates/samples';
import { AGGREGATE_SPECS, INCIDENTS } from '../aggregates/specs';
import { toWindow } from '../aggregates/windows';
import { tableProblems, upsertParams, upsertStatement, type TableColumn } from './pg-statements';

/** The list inside the first parentheses after `after` in `sql`, names unquoted. */
function listAfter(sql: string, after: RegExp): string[] {
  const m = new RegExp(`${after.source}\\s*\\(([^)]*)\\)`, 's').exec(sql);
  if (!m) throw new Error(`no ${after.source} (...) in ${sql}`);
  return m[1].split(',').map((s) => s.trim().replace(/"/g, ''));
}

describe('upsertStatement (incidents: a three-field key)', () => {
  const sql = upsertStatement(INCIDENTS);
  const columns = INCIDENTS.columns.map((c) => c.name);

  it('inserts every stored column of the contract into the aggregate table', () => {
    expect(sql).toMatch(/^INSERT INTO "incidents_zone_15m" AS t \(/);
    expect(listAfter(sql, /AS t/)).toEqual(columns);
  });

  it('takes the batch as one typed array per column, unnested into rows', () => {
    expect(listAfter(sql, /unnest/)).toEqual([
      '$1::text[]', // event_id
      '$2::timestamptz[]',
      '$3::timestamptz[]',
      '$4::text[]', // zone_id
      '$5::text[]',
      '$6::text[]', // severity
      '$7::bigint[]', // incident_count
      '$8::text[]',
      '$9::timestamptz[]', // updated_at
    ]);
  });

  it('upserts on the topic key, replacing every other column and written_at', () => {
    expect(listAfter(sql, /ON CONFLICT/)).toEqual(['zone_id', 'severity', 'window_start']);
    const set = /DO UPDATE SET\s+(.*)\nWHERE/s.exec(sql)?.[1] ?? '';
    const assigned = set.split(',').map((a) => a.trim());
    const key = new Set(INCIDENTS.keyFields);
    expect(assigned).toEqual([
      ...columns.filter((c) => !key.has(c)).map((c) => `"${c}" = excluded."${c}"`),
      '"written_at" = now()',
    ]);
  });

  it('replaces a row only with a strictly newer version, and says which rows it inserted', () => {
    expect(sql).toMatch(/\nWHERE excluded\."updated_at" > t\."updated_at"\n/);
    expect(sql).toMatch(/RETURNING \(xmax = 0\) AS inserted$/);
  });

  it('is built once per spec', () => {
    expect(upsertStatement(INCIDENTS)).toBe(sql);
  });
});

describe('upsertParams', () => {
  it('gives one array per column, a value per window, times as Dates', () => {
    const windows = [
      toWindow(INCIDENTS, sampleIncidentsUpdate(1, 'LOW', 0, 1)),
      toWindow(INCIDENTS, sampleIncidentsUpdate(2, 'CRITICAL', 1, 4)),
    ];
    const params = upsertParams(INCIDENTS, windows);
    expect(params).toHaveLength(INCIDENTS.columns.length);
    const byName = Object.fromEntries(INCIDENTS.columns.map((c, i) => [c.name, params[i]]));
    expect(byName.zone_id).toEqual(['Z01', 'Z02']);
    expect(byName.severity).toEqual(['LOW', 'CRITICAL']);
    expect(byName.incident_count).toEqual([1, 4]);
    expect(byName.window_start).toEqual([
      windows[0].fields.window_start,
      windows[1].fields.window_start,
    ]);
    expect(byName.updated_at?.[1]).toBeInstanceOf(Date);
  });
});

/**
 * The tables as libs/postgres's migrations create them, read from the SQL files: what the sink
 * checks at start against the live database, checked here without one.
 */
function tablesOfMigrations(): TableColumn[] & { keys: Map<string, string[]> } {
  const typeNames: Record<string, string> = {
    timestamptz: 'timestamp with time zone',
    'double precision': 'double precision',
    bigint: 'bigint',
    integer: 'integer',
    text: 'text',
    boolean: 'boolean',
  };
  const out = Object.assign([] as TableColumn[], { keys: new Map<string, string[]>() });
  for (const m of readMigrations()) {
    for (const [, table, body] of m.sql.matchAll(/CREATE TABLE (\w+) \(\n(.*?)\n\);/gs)) {
      for (const line of body.split('\n')) {
        const col =
          /^\s+(\w+)\s+(timestamptz|double precision|bigint|integer|text|boolean)\b(.*)$/.exec(
            line,
          );
        if (col && col[1] !== 'PRIMARY') {
          out.push({
            table_name: table,
            column_name: col[1],
            type: typeNames[col[2]],
            not_null: /NOT NULL|PRIMARY KEY/.test(col[3]),
          });
          if (/PRIMARY KEY/.test(col[3])) out.keys.set(table, [col[1]]);
        }
        const pk = /^\s+PRIMARY KEY \(([^)]*)\)/.exec(line);
        if (pk)
          out.keys.set(
            table,
            pk[1].split(',').map((s) => s.trim()),
          );
      }
    }
  }
  return out;
}

describe('the migrations and the specs', () => {
  const tables = tablesOfMigrations();

  it.each(AGGREGATE_SPECS.map((s) => [s.name, s] as const))(
    '%s: the table has every column of the contract with its type',
    (_, spec) => {
      expect(tableProblems(spec, tables)).toEqual([]);
    },
  );

  it.each(AGGREGATE_SPECS.map((s) => [s.name, s] as const))(
    '%s: the primary key is the topic key (series fields, then window_start)',
    (_, spec) => {
      expect(tables.keys.get(spec.table)).toEqual(spec.keyFields);
    },
  );
});

describe('tableProblems', () => {
  const col = (column_name: string, type: string, not_null = true): TableColumn => ({
    table_name: 'tickets_priority_1m',
    column_name,
    type,
    not_null,
  });
  const tickets = AGGREGATE_SPECS.find((s) => s.name === 'tickets_priority_1m')!;

  it('names a missing table, a missing column and a wrong type', () => {
    expect(tableProblems(tickets, [])).toEqual(['table tickets_priority_1m does not exist']);
    expect(
      tableProblems(tickets, [
        col('event_id', 'text'),
        col('window_start', 'timestamp with time zone'),
        col('window_end', 'timestamp with time zone'),
        col('priority', 'text'),
        col('ticket_count', 'integer'),
        col('updated_at', 'timestamp with time zone'),
      ]),
    ).toEqual([
      'tickets_priority_1m.ticket_count is integer, the contract needs bigint',
      'tickets_priority_1m.written_at is missing',
    ]);
  });
});
