/**
 * Schema evolution mid-run against the real stack: while the traffic worker runs, a producer
 * switches from the raw contract (v1) to a BACKWARD-compatible v2 (a new optional field with a
 * default, placed in the middle so the body's layout changes); the worker decodes each record
 * with its writer schema into its own contract and normalizes v1 and v2 alike. A v3 that is not
 * BACKWARD-compatible (a new field without a default) is refused by the registry — by its global
 * rule: the test sets no compatibility on the subject — and its producer fails naming the subject.
 */
import {
  contractOf,
  SchemaRegistryError,
  type AvroSchemaJson,
  type TrafficReadingNormalized,
  type TrafficReadingRaw,
} from '@citypulse/contracts';
import { KafkaProducer } from '@citypulse/kafka';
import { goodRaw } from './raw-records';
import { WorkerHarness } from './worker-harness';

jest.setTimeout(180_000);

const V1 = contractOf('trafficRaw').schema;

/** The contract with `field` inserted after `after`. */
function withField(schema: AvroSchemaJson, after: string, field: object): AvroSchemaJson {
  const s = structuredClone(schema) as unknown as { fields: { name: string }[] };
  const at = s.fields.findIndex((f) => f.name === after) + 1;
  s.fields.splice(at, 0, field as { name: string });
  return s as unknown as AvroSchemaJson;
}

const V2 = withField(V1, 'sensor_id', {
  name: 'firmware',
  type: ['null', 'string'],
  default: null,
  doc: 'Sensor firmware version (v2).',
});
const V3 = withField(V2, 'speed', { name: 'calibration', type: 'double' }); // no default

// one event time for every reading, so a v2 record and its v1 twin differ in nothing but the schema
// (goodRaw reads the clock: twins built a millisecond apart once failed a clean-clone make test)
const EVENT_TIME = Date.now() - 60_000;
const reading = (id: string): TrafficReadingRaw => ({
  ...goodRaw('traffic', id, 'evolution-test'),
  event_time: EVENT_TIME,
});

describe('traffic worker across a raw schema change (real registry)', () => {
  const h = new WorkerHarness('traffic');
  let producer: KafkaProducer;

  beforeAll(async () => {
    await h.start();
    producer = new KafkaProducer({ kafka: h.kafka, serde: h.serde });
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await h.stop();
    await h.registry.deleteSubject(`${h.input}-value`).catch(() => undefined);
  });

  it('normalizes v1 and v2 records alike, and the registry refuses an incompatible v3', async () => {
    const normalized = await h.normalized<TrafficReadingNormalized>();
    const dlq = await h.deadLetters();
    const subject = `${h.input}-value`;

    const v1 = await producer.topic<TrafficReadingRaw>(h.input, { schema: V1 });
    await v1.send([0, 1, 2].map((i) => ({ key: 'Z02-S01', value: reading(`v1-${i}`) })));
    // the producer switches to v2 mid-run
    const v2 = await producer.topic<TrafficReadingRaw & { firmware: string | null }>(h.input, {
      schema: V2,
    });
    expect(v2.schemaId).not.toBe(v1.schemaId);
    await v2.send(
      [0, 1, 2].map((i) => ({
        key: 'Z02-S01',
        value: { ...reading(`v2-${i}`), firmware: `fw-${i}` },
      })),
    );

    const refused = await producer.topic(h.input, { schema: V3 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(SchemaRegistryError);
    expect(refused).toMatchObject({ status: 409, retriable: false });
    expect((refused as Error).message).toContain(
      `schema registry refused a new version of subject ${subject}: incompatible with the versions registered under it`,
    );
    expect((refused as Error).message).toContain('calibration');

    // a v1 producer that never upgraded, after the refused v3: still fine
    await v1.send([{ key: 'Z02-S01', value: reading('v1-late') }]);
    await h.settle(normalized, dlq, { normalized: 7, dlq: 0 });

    const byId = new Map(normalized.map((n) => [n.value.event_id, n.value]));
    expect([...byId.keys()].sort()).toEqual(
      ['v1-0', 'v1-1', 'v1-2', 'v1-late', 'v2-0', 'v2-1', 'v2-2'].sort(),
    );
    // a v2 record reads as the contract: the same normalized reading as its v1 twin, no firmware
    const { event_id: _a, ingested_at: _b, ...fromV1 } = byId.get('v1-0')!;
    const { event_id: _c, ingested_at: _d, ...fromV2 } = byId.get('v2-0')!;
    expect(fromV2).toEqual(fromV1);
    expect(fromV2).not.toHaveProperty('firmware');
    expect(fromV2).toMatchObject({ sensor_id: 'Z02-S01', zone_id: 'Z02', speed_kmh: 42.5 });
  });
});
