import { schemaOf, STREAM_DEFINITIONS, STREAM_NAMES } from '@citypulse/contracts';
import { columnsOf, defineAggregate } from './aggregate-spec';
import { AGGREGATE_SPECS, AGGREGATES, INCIDENTS, MOBILITY, TRAFFIC } from './specs';

describe('the aggregate specs', () => {
  it('cover every aggregate topic of the contracts, once', () => {
    const aggTopics = STREAM_NAMES.filter((s) => STREAM_DEFINITIONS[s].topic.startsWith('agg.'));
    expect(AGGREGATE_SPECS.map((s) => s.stream).sort()).toEqual([...aggTopics].sort());
    expect(Object.keys(AGGREGATES).sort()).toEqual([...aggTopics].sort());
  });

  it('store exactly the contract fields, without event_time (= window_end)', () => {
    for (const spec of AGGREGATE_SPECS) {
      const fields = (schemaOf(spec.stream) as { fields: { name: string }[] }).fields.map(
        (f) => f.name,
      );
      expect(spec.columns.map((c) => c.name)).toEqual(fields.filter((f) => f !== 'event_time'));
    }
  });

  it('key on the topic key, versioned by updated_at', () => {
    for (const spec of AGGREGATE_SPECS) {
      expect(spec.topic).toBe(STREAM_DEFINITIONS[spec.stream].topic);
      expect(spec.keyFields).toEqual(STREAM_DEFINITIONS[spec.stream].keyFields);
      expect(spec.keyFields.at(-1)).toBe('window_start');
      expect(spec.version).toBe('updated_at');
    }
    expect(INCIDENTS.seriesFields).toEqual(['zone_id', 'severity']);
    expect(MOBILITY.seriesFields).toEqual([]);
  });

  it('go by one name from table to collection to route, traffic and mobility excepted', () => {
    const names = AGGREGATE_SPECS.map((s) => [s.name, s.table, s.collection, s.route]);
    expect(names).toEqual([
      ['traffic', 'traffic_window_aggregates', 'traffic_aggregations', 'traffic'],
      ['mobility', 'mobility_index', 'mobility_index', 'mobility'],
      ['transport_line_10m', 'transport_line_10m', 'transport_line_10m', 'transport_line_10m'],
      ['incidents_zone_15m', 'incidents_zone_15m', 'incidents_zone_15m', 'incidents_zone_15m'],
      ['tickets_priority_1m', 'tickets_priority_1m', 'tickets_priority_1m', 'tickets_priority_1m'],
    ]);
  });

  it('index every new collection uniquely by its key, keeping the old index names', () => {
    expect(INCIDENTS.mongoIndexes).toEqual([
      { name: 'key_unique', key: { zone_id: 1, severity: 1, window_start: 1 }, unique: true },
    ]);
    expect(TRAFFIC.mongoIndexes.map((i) => i.name)).toEqual([
      'zone_window_unique',
      'window_start_desc',
    ]);
  });
});

describe('columnsOf', () => {
  it('maps Avro types to what the stores hold', () => {
    expect(columnsOf(schemaOf('incidentsByZone15m'))).toEqual([
      { name: 'event_id', kind: 'text', pg: 'text', nullable: false },
      { name: 'window_start', kind: 'time', pg: 'timestamptz', nullable: false },
      { name: 'window_end', kind: 'time', pg: 'timestamptz', nullable: false },
      { name: 'zone_id', kind: 'text', pg: 'text', nullable: false },
      { name: 'zone_name', kind: 'text', pg: 'text', nullable: false },
      {
        name: 'severity',
        kind: 'enum',
        pg: 'text',
        nullable: false,
        symbols: ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'],
      },
      { name: 'incident_count', kind: 'integer', pg: 'bigint', nullable: false },
      {
        name: 'alert_level',
        kind: 'enum',
        pg: 'text',
        nullable: false,
        symbols: ['UNKNOWN', 'NONE', 'YELLOW', 'ORANGE', 'RED'],
      },
      { name: 'updated_at', kind: 'time', pg: 'timestamptz', nullable: false },
    ]);
    const mobility = columnsOf(schemaOf('mobilityIndex5m'));
    expect(mobility.find((c) => c.name === 'zones')).toMatchObject({ kind: 'integer', pg: 'int' });
    expect(mobility.find((c) => c.name === 'mobility_index')).toMatchObject({
      kind: 'double',
      pg: 'float8',
    });
  });

  it('takes a field added later as a union with null, nullable', () => {
    const schema = {
      type: 'record',
      name: 'X',
      fields: [
        { name: 'note', type: ['null', 'string'], default: null },
        { name: 'ratio', type: ['null', { type: 'double' }], default: null },
      ],
    };
    expect(columnsOf(schema)).toEqual([
      { name: 'note', kind: 'text', pg: 'text', nullable: true },
      { name: 'ratio', kind: 'double', pg: 'float8', nullable: true },
    ]);
  });

  it('refuses what no column type fits', () => {
    const of = (type: unknown) =>
      columnsOf({ type: 'record', name: 'X', fields: [{ name: 'f', type }] });
    expect(() => of('bytes')).toThrow(/field f: Avro type "bytes" is not supported/);
    expect(() => of(['null', 'string', 'long'])).toThrow(/union of null and one type/);
    expect(() => of({ type: 'array', items: 'string' })).toThrow(/not supported/);
  });
});

describe('defineAggregate', () => {
  it('refuses path segments that do not name the series fields', () => {
    expect(() =>
      defineAggregate({
        stream: 'transportByLine10m',
        name: 'transport_line_10m',
        windowMs: 600_000,
        pathSegments: { line_id: 'lines', zone_id: 'zones' } as never,
      }),
    ).toThrow(/pathSegments must name exactly the series fields line_id/);
  });

  it('refuses a name that is not a plain lower-case identifier', () => {
    expect(() =>
      defineAggregate({
        stream: 'ticketsByPriority1m',
        name: 'tickets; DROP TABLE x',
        windowMs: 60_000,
        pathSegments: { priority: 'priorities' },
      }),
    ).toThrow(/is not a lower-case identifier/);
  });

  it('binds figures and enums to city gauges labelled by the series fields', () => {
    expect(INCIDENTS.seriesLabels).toEqual({ zone_id: 'zone', severity: 'severity' });
    expect(MOBILITY.gauges.map((b) => [b.field, b.gauge, b.kind])).toEqual([
      ['mobility_index', 'city_mobility_index', 'value'],
      ['category', 'city_mobility_category', 'state'],
    ]);
    expect(MOBILITY.gauges[1].symbols).toContain('CRITICAL');
    expect(AGGREGATE_SPECS.every((s) => s.gauges.length > 0)).toBe(true);
  });

  it('refuses a gauge that is not in the catalog, not a figure, or labelled otherwise than the series', () => {
    const tickets = (gauges: Record<string, string>) =>
      defineAggregate({
        stream: 'ticketsByPriority1m',
        name: 'tickets_priority_1m',
        windowMs: 60_000,
        pathSegments: { priority: 'priorities' },
        gauges,
      });
    expect(() => tickets({ ticket_count: 'city_nonsense' })).toThrow(/not in libs\/observability/);
    expect(() => tickets({ priority: 'city_tickets' })).toThrow(/priority is not a figure/);
    expect(() => tickets({ ticket_count: 'city_zone_speed_kmh' })).toThrow(
      /labelled \{zone\}, the series need \{priority\}/,
    );
    expect(tickets({ ticket_count: 'city_tickets' }).gauges).toHaveLength(1);
  });
});
