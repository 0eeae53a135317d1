import { INCIDENTS, MOBILITY, TRAFFIC } from '../aggregates/specs';
import { latestQuery, viewColumns, windowsQuery } from './read-queries';

const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ');

describe('viewColumns', () => {
  it('are the contract fields the API shows: all stored ones but event_id', () => {
    expect(viewColumns(TRAFFIC).map((c) => c.name)).toEqual([
      'window_start',
      'window_end',
      'zone_id',
      'zone_name',
      'avg_speed_kmh',
      'min_speed_kmh',
      'max_speed_kmh',
      'total_vehicle_flow',
      'avg_occupancy_pct',
      'congestion_score',
      'readings',
      'updated_at',
    ]);
  });
});

describe('windowsQuery', () => {
  it('reads one series by its key fields and a window_start range, oldest first', () => {
    const sql = oneLine(windowsQuery(INCIDENTS));
    expect(sql).toContain('FROM "incidents_zone_15m" t');
    expect(sql).toContain(
      'WHERE t."zone_id" = $1 AND t."severity" = $2 AND t."window_start" >= $3 AND t."window_start" < $4',
    );
    expect(sql).toMatch(/ORDER BY t\."window_start" LIMIT \$5$/);
    expect(sql).not.toContain('event_id');
  });

  it('reads a range of the whole aggregate when it has no series', () => {
    expect(oneLine(windowsQuery(MOBILITY))).toMatch(
      /FROM "mobility_index" t WHERE t\."window_start" >= \$1 AND t\."window_start" < \$2 ORDER BY t\."window_start" LIMIT \$3$/,
    );
  });
});

describe('latestQuery', () => {
  it('skips from series to series along the primary key, with a row comparison for a compound key', () => {
    const sql = oneLine(latestQuery(INCIDENTS));
    expect(sql).toMatch(/^WITH RECURSIVE series AS \(/);
    // the first series, then each next one: the smallest key greater than the last
    expect(sql).toContain(
      '(SELECT t."zone_id", t."severity" FROM "incidents_zone_15m" t ORDER BY t."zone_id", t."severity" LIMIT 1)',
    );
    expect(sql).toContain(
      'WHERE (t."zone_id", t."severity") > (s."zone_id", s."severity") ORDER BY t."zone_id", t."severity" LIMIT 1',
    );
    // the latest window of each, backwards along the key
    expect(sql).toContain(
      'WHERE t."zone_id" = s."zone_id" AND t."severity" = s."severity" ORDER BY t."window_start" DESC LIMIT 1) w',
    );
    expect(sql).toMatch(/ORDER BY w\."zone_id", w\."severity"$/);
  });

  it('compares a one-field key as a plain value', () => {
    expect(oneLine(latestQuery(TRAFFIC))).toContain(
      'WHERE t."zone_id" > s."zone_id" ORDER BY t."zone_id" LIMIT 1',
    );
  });

  it('takes the last window when the aggregate has no series', () => {
    expect(oneLine(latestQuery(MOBILITY))).toMatch(
      /FROM "mobility_index" t ORDER BY t\."window_start" DESC LIMIT 1$/,
    );
  });
});
