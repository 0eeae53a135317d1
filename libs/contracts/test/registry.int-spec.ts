/**
 * Against the real schema registry of the local stack (SCHEMA_REGISTRY_URL from the env file):
 * every contract registers under BACKWARD compatibility; a v2 with a new optional field is
 * accepted and read both ways through the Confluent wire format; an incompatible change is
 * refused. No skip: an unreachable registry fails this suite.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { stackEnv, uniqueName } from '@citypulse/testing';
import {
  SchemaRegistryClient,
  SchemaRegistryError,
  allContracts,
  contractOf,
  registerContracts,
  subjectFor,
  type SchemaRegistryOptions,
  type TrafficReadingRaw,
} from '../src';

const env = stackEnv();
const conn: SchemaRegistryOptions = {
  url: env.SCHEMA_REGISTRY_URL,
  ...(env.SCHEMA_REGISTRY_USERNAME
    ? {
        auth: {
          username: env.SCHEMA_REGISTRY_USERNAME,
          password: env.SCHEMA_REGISTRY_PASSWORD ?? '',
        },
      }
    : {}),
};

type Field = { name: string; type: unknown; default?: unknown };
type RecordSchema = { type: 'record'; name: string; namespace: string; fields: Field[] };

const v1 = contractOf('trafficRaw').schema as unknown as RecordSchema;
const v2: RecordSchema = {
  ...v1,
  fields: [...v1.fields, { name: 'lane', type: ['null', 'int'], default: null }],
};
const incompatible: RecordSchema = { ...v1, fields: [...v1.fields, { name: 'lane', type: 'int' }] };
const retyped: RecordSchema = {
  ...v1,
  fields: v1.fields.map((f) => (f.name === 'vehicle_count' ? { ...f, type: 'string' } : f)),
};

const reading: TrafficReadingRaw = {
  event_id: 'ev-int-1',
  event_time: 1_700_000_000_000,
  sensor_id: 'S-001',
  zone_id: 'Z01',
  speed: 50,
  speed_unit: 'KMH',
  vehicle_count: 7,
  occupancy_pct: 12.5,
  source: 'int-test',
};

const client = new SchemaRegistryClient(conn);

describe('contracts in the real schema registry', () => {
  it(`registers every subject with BACKWARD compatibility at ${conn.url}`, async () => {
    const first = await registerContracts(conn);
    expect(first.map((r) => r.subject)).toEqual(allContracts().map((c) => subjectFor(c.topic)));
    for (const r of first) {
      expect(r.id).toBeGreaterThan(0);
      expect(await client.getCompatibility(r.subject)).toBe('BACKWARD');
      // what the serde reads back: the latest version and the schema by its id
      expect((await client.latest(r.subject)).id).toBe(r.id);
      const byId = await client.schemaById(r.id);
      expect(JSON.parse(byId.schema)).toEqual(contractOf(r.stream).schema);
    }
    // Idempotent: registering the same schemas again (through a client) returns the same ids.
    const again = await registerContracts(client);
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
  });

  it('says what it cannot find (404, not retriable) and what it cannot reach (retriable)', async () => {
    const missing = await client.schemaById(2_000_000_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(SchemaRegistryError);
    expect(missing).toMatchObject({ status: 404, notFound: true, retriable: false });
    expect(await client.getCompatibility(uniqueName('no-such-subject'))).toBeUndefined();

    // a port nothing listens on
    const down = new SchemaRegistryClient({ url: 'http://127.0.0.1:1', timeoutMs: 2_000 });
    const err = await down.latest('x-value').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ status: 0, retriable: true, code: 'REGISTRY_UNAVAILABLE' });
  });

  describe('evolution of one subject', () => {
    const subject = `${uniqueName('contracts-evolution')}-value`;
    const registry = new SchemaRegistry({
      host: conn.url,
      ...(conn.auth ? { auth: conn.auth } : {}),
    });

    afterAll(async () => {
      await client.deleteSubject(subject);
    });

    it('accepts a v2 with a new optional field, and both versions read each other', async () => {
      await client.setCompatibility(subject, 'BACKWARD');
      const id1 = await client.register(subject, JSON.stringify(v1));
      expect(await client.isCompatible(subject, JSON.stringify(v2))).toBe(true);
      const id2 = await client.register(subject, JSON.stringify(v2));
      expect(id2).not.toBe(id1);

      // v2 writer, v1 reader: the new field is dropped.
      const fromV2 = await registry.encode(id2, { ...reading, lane: 3 });
      expect(fromV2.readUInt32BE(1)).toBe(id2);
      expect(await registry.decode(fromV2, { [SchemaType.AVRO]: { readerSchema: v1 } })).toEqual(
        reading,
      );

      // v1 writer, v2 reader: the new field takes its default.
      const fromV1 = await registry.encode(id1, reading);
      expect(await registry.decode(fromV1, { [SchemaType.AVRO]: { readerSchema: v2 } })).toEqual({
        ...reading,
        lane: null,
      });
    });

    it('refuses an incompatible change (new required field, changed type)', async () => {
      for (const bad of [incompatible, retyped]) {
        expect(await client.isCompatible(subject, JSON.stringify(bad))).toBe(false);
        const err = await client.register(subject, JSON.stringify(bad)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(SchemaRegistryError);
        expect((err as SchemaRegistryError).status).toBe(409);
        expect((err as SchemaRegistryError).retriable).toBe(false);
      }
    });
  });
});
