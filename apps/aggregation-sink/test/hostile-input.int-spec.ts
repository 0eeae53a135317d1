/**
 * Hostile input on every aggregate topic the sink consumes, against the real stack: random bytes,
 * a frame naming a schema id the registry never had, deeply nested garbage JSON, a valid update
 * with a 1 MB string, one with a 10,000-character event id (under the transport's string limit,
 * over the sink's text limit: as a key it would break the primary-key index), the largest record
 * the topic accepts (the broker's default max.message.bytes; the DLQ keeps it without its value)
 * and a record of 10 MB (refused to the producer with a clear error). Each lands in the topic's
 * DLQ with its reason, the valid update after them is stored in MongoDB and PostgreSQL, and a
 * burst of large records leaves no memory behind.
 *
 * The aggregate topics are the contracts' (shared); every record of this run has keys of its own
 * (windows of a start time no one else uses), and the DLQ is read from where it ended before.
 */
import { loadConfig } from '@citypulse/config';
import { dlqTopic, keyFor, schemaOf, subjectFor, type ValueOf } from '@citypulse/contracts';
import {
  AvroSerde,
  createKafka,
  DLQ_HEADERS,
  headersToStrings,
  KafkaLibError,
  KafkaProducer,
  SchemaRegistryClient,
} from '@citypulse/kafka';
import {
  hugeString,
  memoryAfterGc,
  nestedJson,
  randomGarbage,
  uniqueName,
  unknownSchemaFrame,
  waitFor,
  waitForGroupMember,
} from '@citypulse/testing';
import { randomInt } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { AggregateSpec, AggregateStream } from '../src/aggregates/aggregate-spec';
import {
  sampleIncidentsUpdate,
  sampleMobilityUpdate,
  sampleTicketsUpdate,
  sampleTrafficUpdate,
  sampleTransportUpdate,
} from '../src/aggregates/samples';
import { AGGREGATE_SPECS } from '../src/aggregates/specs';
import { MAX_TEXT_CHARS } from '../src/aggregates/windows';
import { sinkConfigSchema, type SinkConfig } from '../src/config';
import { startSink } from '../src/main';
import { TestStores } from './stores';

jest.setTimeout(300_000);

const MB = 1024 * 1024;
/** The largest value with a key of `k` (< 64) bytes a topic of the broker's default limit takes. */
const largestAccepted = (k: number) => 1_048_588 - 72 - k;

/** A start no other run uses: a random whole day after the samples' own start. */
const T0 = Date.UTC(2030, 0, 1) + randomInt(1, 100_000) * 86_400_000;

/** Version `v` of one window of each aggregate, starting at this run's T0. */
const UPDATE: { [S in AggregateStream]: (v: number) => ValueOf<S> } = {
  trafficByZone5m: (v) => sampleTrafficUpdate(1, 0, v, T0),
  mobilityIndex5m: (v) => sampleMobilityUpdate(0, v, T0),
  transportByLine10m: (v) => sampleTransportUpdate(1, 0, v, T0),
  incidentsByZone15m: (v) => sampleIncidentsUpdate(1, 'HIGH', 0, v, T0),
  ticketsByPriority1m: (v) => sampleTicketsUpdate('HIGH', 0, v, T0),
};

interface DeadLetter {
  key: string;
  headers: Record<string, string>;
  valueBytes: number | null;
}

describe('aggregation-sink under hostile input (real stack)', () => {
  let stores: TestStores;
  let config: SinkConfig;
  let sink: Awaited<ReturnType<typeof startSink>> | undefined;
  let kafka: Kafka;
  let admin: Admin;
  let producer: KafkaProducer;
  let serde: AvroSerde;
  const readers: Consumer[] = [];

  /** The DLQ records with `key` from the offsets the DLQ had when called, as they arrive. */
  async function deadLetters(topic: string, key: string): Promise<DeadLetter[]> {
    const out: DeadLetter[] = [];
    const from = await admin.fetchTopicOffsets(dlqTopic(topic));
    const c = kafka.consumer({ groupId: uniqueName('sink-hostile-dlq'), maxWaitTimeInMs: 200 });
    readers.push(c);
    await c.connect();
    await c.subscribe({ topic: dlqTopic(topic) });
    await c.run({
      eachMessage: ({ message }) => {
        if (message.key?.toString() === key)
          out.push({
            key,
            headers: headersToStrings(message.headers),
            valueBytes: message.value?.length ?? null,
          });
        return Promise.resolve();
      },
    });
    for (const p of from)
      c.seek({ topic: dlqTopic(topic), partition: p.partition, offset: p.high });
    return out;
  }

  beforeAll(async () => {
    stores = await new TestStores().setUp();
    config = loadConfig(sinkConfigSchema, {
      ...stores.env,
      POSTGRES_URL: stores.pgUrl,
      MONGO_DB: stores.name,
      AGGREGATION_SINK_GROUP_ID: uniqueName('sink-hostile'),
      AGGREGATION_SINK_HTTP_PORT: '0',
      AGGREGATION_SINK_METRICS_PORT: '0',
      KAFKA_CLIENT_ID: 'aggregation-sink-hostile',
      LOG_LEVEL: 'error',
    });
    kafka = createKafka({ ...config.kafka, logLevel: 'nothing' });
    admin = kafka.admin();
    await admin.connect();
    serde = new AvroSerde(new SchemaRegistryClient(config.registry));
    producer = new KafkaProducer({ kafka, serde, lingerMs: 1 });
    await producer.connect();
    sink = await startSink(config, { fromBeginning: false });
    await waitForGroupMember(admin, config.sink.groupId);
  });

  afterAll(async () => {
    await Promise.allSettled(readers.map((r) => r.disconnect()));
    await sink?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await stores?.tearDown();
  });

  /** Schema id of the aggregate's contract under its topic's subject. */
  const schemaId = (spec: AggregateSpec) =>
    serde.register(subjectFor(spec.topic), schemaOf(spec.stream));

  /** The good update is in both stores, by its key and event id. */
  async function stored(spec: AggregateSpec, key: string, eventId: string): Promise<boolean> {
    const doc = await stores.mongoDb
      .collection<{ _id: string }>(spec.collection)
      .findOne({ _id: key });
    const { rows } = await stores.pool.query(`SELECT 1 FROM ${spec.table} WHERE event_id = $1`, [
      eventId,
    ]);
    return (doc as { event_id?: string } | null)?.event_id === eventId && rows.length === 1;
  }

  it.each(AGGREGATE_SPECS.map((s) => [s.name, s] as const))(
    '%s: each hostile record lands in the DLQ with its reason, the update after them is stored',
    async (_name, spec) => {
      const make = UPDATE[spec.stream] as unknown as (v: number) => Record<string, unknown>;
      const first = make(1);
      const key = keyFor(spec.stream, first as never);
      const id = await schemaId(spec);
      const encode = (v: Record<string, unknown>) => serde.encode(id, v);
      const dlq = await deadLetters(spec.topic, key);
      // one key: one partition, so every record comes after the one before it
      const hostile: { value: Buffer; code: string; message?: string; omitted?: boolean }[] = [
        { value: randomGarbage(1024), code: 'BAD_FRAME' },
        { value: unknownSchemaFrame(), code: 'UNKNOWN_SCHEMA' },
        { value: nestedJson(100_000), code: 'BAD_FRAME' },
        {
          value: encode({ ...make(2), event_id: hugeString(1_000_000) }),
          code: 'FIELD_TOO_LONG',
          message:
            "field_too_long: field event_id is 1000000 long, over this consumer's limit of 65536",
        },
        {
          value: encode({ ...make(2), event_id: hugeString(10_000) }),
          code: 'INVALID_RECORD',
          message: `event_id is 10000 characters long, more than ${MAX_TEXT_CHARS}`,
        },
        // what PostgreSQL refuses on every retry: a NUL in text, a time no Date holds
        {
          value: encode({ ...make(2), event_id: 'e\u0000' }),
          code: 'INVALID_RECORD',
          message: 'event_id contains a NUL character',
        },
        {
          value: encode({ ...make(2), updated_at: 8.64e15 + 1 }),
          code: 'INVALID_RECORD',
          message: 'updated_at 8640000000000001 is not a positive epoch millis a date can hold',
        },
        { value: randomGarbage(largestAccepted(key.length)), code: 'BAD_FRAME', omitted: true },
      ];
      await producer.sendRaw(spec.topic, [{ key, value: encode(first) }]);
      for (const h of hostile) await producer.sendRaw(spec.topic, [{ key, value: h.value }]);
      const tenMb = producer.sendRaw(spec.topic, [{ key, value: randomGarbage(10 * MB) }]);
      await expect(tenMb).rejects.toThrow(KafkaLibError);
      await expect(tenMb).rejects.toThrow(
        `${spec.topic} refused a record of ${10 * MB + key.length} bytes (key + value): over the topic's max.message.bytes`,
      );
      const last = make(3);
      await producer.sendRaw(spec.topic, [{ key, value: encode(last) }]);

      await waitFor(() => stored(spec, key, String(last.event_id)), {
        timeoutMs: 90_000,
        what: `${spec.name}: the update after the hostile records in MongoDB and PostgreSQL`,
      });
      await waitFor(() => dlq.length >= hostile.length, {
        timeoutMs: 30_000,
        what: `${hostile.length} records in ${dlqTopic(spec.topic)} (have ${dlq.length})`,
      });
      const byOffset = [...dlq].sort(
        (a, b) => Number(a.headers[DLQ_HEADERS.offset]) - Number(b.headers[DLQ_HEADERS.offset]),
      );
      expect(byOffset.map((d) => d.headers[DLQ_HEADERS.errorCode])).toEqual(
        hostile.map((h) => h.code),
      );
      for (const [i, h] of hostile.entries()) {
        const d = byOffset[i];
        expect(d.headers).toMatchObject({
          [DLQ_HEADERS.topic]: spec.topic,
          [DLQ_HEADERS.service]: 'aggregation-sink',
        });
        if (h.message) expect(d.headers[DLQ_HEADERS.errorMessage]).toContain(h.message);
        if (h.omitted) {
          expect(d.valueBytes).toBeNull();
          expect(d.headers[DLQ_HEADERS.valueOmitted]).toBe(String(h.value.length));
        } else {
          expect(d.valueBytes).toBe(h.value.length);
        }
      }
      expect(sink).toBeDefined();
    },
  );

  it('keeps no memory of a burst of 40 one-megabyte records', async () => {
    const spec = AGGREGATE_SPECS.find((s) => s.stream === 'trafficByZone5m')!;
    const make = UPDATE.trafficByZone5m;
    const key = keyFor(spec.stream, make(10));
    const id = await schemaId(spec);
    const dlq = await deadLetters(spec.topic, key);
    await producer.sendRaw(spec.topic, [{ key, value: serde.encode(id, make(10)) }]);
    await waitFor(() => stored(spec, key, make(10).event_id), { what: 'the warm-up update' });
    const before = memoryAfterGc();
    await (async () => {
      const oneMb = serde.encode(id, { ...make(11), event_id: hugeString(1_000_000) });
      for (let i = 0; i < 40; i++) await producer.sendRaw(spec.topic, [{ key, value: oneMb }]);
    })();
    await producer.sendRaw(spec.topic, [{ key, value: serde.encode(id, make(12)) }]);
    await waitFor(() => stored(spec, key, make(12).event_id), {
      timeoutMs: 120_000,
      what: 'the update after the burst',
    });
    await waitFor(() => dlq.length === 40, { what: `40 dead letters (have ${dlq.length})` });
    const after = memoryAfterGc();
    console.log(
      `heap + buffers after GC: ${(before.retainedBytes / MB).toFixed(1)} MB before the burst, ` +
        `${(after.retainedBytes / MB).toFixed(1)} MB after (RSS ${(before.rssBytes / MB).toFixed(0)} -> ${(after.rssBytes / MB).toFixed(0)} MB)`,
    );
    expect(after.retainedBytes - before.retainedBytes).toBeLessThan(16 * MB);
  });
});
