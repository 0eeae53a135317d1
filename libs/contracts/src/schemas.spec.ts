import * as avro from 'avsc';
import { allContracts, contractOf } from './contracts';
import type { TrafficReadingRaw } from './generated/types';

type Field = { name: string; type: unknown; default?: unknown };
type RecordSchema = { type: 'record'; name: string; namespace?: string; fields: Field[] };

/** Collects every enum definition inside a schema. */
function enums(
  schema: unknown,
  out: Array<Record<string, unknown>> = [],
): Array<Record<string, unknown>> {
  if (Array.isArray(schema)) schema.forEach((s) => enums(s, out));
  else if (schema && typeof schema === 'object') {
    const o = schema as Record<string, unknown>;
    if (o.type === 'enum') out.push(o);
    Object.values(o).forEach((v) => enums(v, out));
  }
  return out;
}

const reading: TrafficReadingRaw = {
  event_id: 'ev-1',
  event_time: 1_700_000_000_123,
  sensor_id: 'S-001',
  zone_id: 'Z01',
  speed: 31.5,
  speed_unit: 'MPH',
  vehicle_count: 12,
  occupancy_pct: 40.5,
  source: 'test',
};

describe('schemas', () => {
  it.each(allContracts().map((c) => [c.stream, c] as const))(
    '%s: has an event id, a timestamp-millis event time, and enums with a default symbol',
    (_name, c) => {
      const schema = c.schema as unknown as RecordSchema;
      expect(schema.namespace).toBe('city.pulse');
      const byName = new Map(schema.fields.map((f) => [f.name, f]));
      expect(byName.get('event_id')?.type).toBe('string');
      expect(byName.get('event_time')?.type).toEqual({
        type: 'long',
        logicalType: 'timestamp-millis',
      });
      for (const k of c.keyFields) expect(byName.has(k)).toBe(true);
      for (const e of enums(schema)) {
        expect(e.symbols as string[]).toContain(e.default);
      }
    },
  );

  it('round-trips a value through its Avro type', () => {
    const type = contractOf('trafficRaw').type;
    const back = type.fromBuffer(type.toBuffer(reading));
    expect(back).toEqual(reading);
  });

  it('rejects a value that does not match', () => {
    const type = contractOf('trafficRaw').type;
    expect(type.isValid({ ...reading, speed_unit: 'FURLONGS' })).toBe(false);
    expect(() => type.toBuffer({ ...reading, vehicle_count: 'many' } as never)).toThrow();
  });
});

describe('schema evolution (v1 <-> v2 with a new optional field)', () => {
  const v1 = contractOf('trafficRaw').schema as unknown as RecordSchema;
  const v2: RecordSchema = {
    ...v1,
    fields: [...v1.fields, { name: 'lane', type: ['null', 'int'], default: null }],
  };
  const t1 = avro.Type.forSchema(v1 as avro.Schema);
  const t2 = avro.Type.forSchema(v2 as avro.Schema);

  it('a v1 reader reads v2 data, ignoring the new field', () => {
    const bytes = t2.toBuffer({ ...reading, lane: 2 });
    const read = t1.fromBuffer(bytes, t1.createResolver(t2)) as Record<string, unknown>;
    expect(read).toEqual(reading);
    expect(read).not.toHaveProperty('lane');
  });

  it('a v2 reader reads v1 data, filling the default', () => {
    const bytes = t1.toBuffer(reading);
    const read = t2.fromBuffer(bytes, t2.createResolver(t1)) as Record<string, unknown>;
    expect(read).toEqual({ ...reading, lane: null });
  });

  it('an old reader maps a new enum symbol to the default symbol', () => {
    const grown = avro.Type.forSchema({
      ...v1,
      fields: v1.fields.map((f) =>
        f.name === 'speed_unit'
          ? {
              ...f,
              type: {
                type: 'enum',
                name: 'SpeedUnit',
                symbols: ['UNKNOWN', 'KMH', 'MPH', 'MS'],
                default: 'UNKNOWN',
              },
            }
          : f,
      ),
    } as avro.Schema);
    const bytes = grown.toBuffer({ ...reading, speed_unit: 'MS' });
    const read = t1.fromBuffer(bytes, t1.createResolver(grown)) as TrafficReadingRaw;
    expect(read.speed_unit).toBe('UNKNOWN');
  });

  it('a new required field without a default cannot be resolved from old data', () => {
    const broken = avro.Type.forSchema({
      ...v1,
      fields: [...v1.fields, { name: 'lane', type: 'int' }],
    } as avro.Schema);
    expect(() => broken.createResolver(t1)).toThrow();
  });
});
