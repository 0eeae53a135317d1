import 'reflect-metadata';
import { contractOf, type TransportVehicleStatusRaw } from '@citypulse/contracts';
import {
  InvalidRecordError,
  KAFKA_HANDLER_OPTIONS,
  KafkaContext,
  type KafkaRecord,
} from '@citypulse/kafka';
import { Metrics } from '@citypulse/observability';
import {
  Global,
  Module,
  type DynamicModule,
  type INestApplicationContext,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import { loadConfig } from '@citypulse/config';
import { normalizerConfigSchema } from '../config/normalizer.config';
import { CityDirectory } from '../testing/directory';
import { KAFKA, KAFKA_PRODUCER, METRICS, NORMALIZER_CONFIG, PG_POOL } from '../tokens';
import { transportStream } from '../workers/transport/transport.stream';
import { WorkerModule } from './worker.module';

/*
 * The runtime's wiring in process, with the outside stood in for: a PostgreSQL pool answering
 * the reference queries from city.json, a Kafka admin and producer that record what they are
 * asked. (The real services are exercised by test/*.int-spec.ts.)
 */

const city = new CityDirectory();
const NOW = Date.now();

function fakePool(counter: { queries: number }) {
  return {
    query: (sql: string) => {
      counter.queries++;
      if (sql.includes('FROM zones')) return Promise.resolve({ rows: [...city.zones.values()] });
      if (sql.includes('FROM sensors'))
        return Promise.resolve({ rows: [...city.sensors.values()] });
      if (sql.includes('FROM transport_lines'))
        return Promise.resolve({ rows: [...city.lines.values()] });
      return Promise.reject(new Error(`unexpected query ${sql}`));
    },
  };
}

function status(id: string, over: Partial<TransportVehicleStatusRaw> = {}) {
  const value: TransportVehicleStatusRaw = {
    event_id: id,
    event_time: NOW - 5_000,
    vehicle_id: 'B21-V02',
    line_id: 'B21',
    vehicle_type: 'BUS',
    latitude: 48.1,
    longitude: 11.6,
    delay_seconds: 30,
    passenger_count: 45,
    next_stop_id: null,
    source: 'test',
    ...over,
  };
  return { value } as KafkaRecord<TransportVehicleStatusRaw>;
}

describe('WorkerModule (transport stream, outside faked)', () => {
  let app: INestApplicationContext;
  let consumer: Type<unknown>;
  const created: string[] = [];
  const sent: { topic: string; records: { key: string; value: { event_id: string } }[] }[] = [];
  const pg = { queries: 0 };
  const metrics = new Metrics({ service: 'normalizer', defaultMetrics: false });

  beforeAll(async () => {
    const config = loadConfig(normalizerConfigSchema, {
      KAFKA_BROKERS: '127.0.0.1:1',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
      POSTGRES_URL: 'postgres://u:p@127.0.0.1:1/db',
      NORMALIZER_WORKER: 'transport',
      NORMALIZER_REFERENCE_REFRESH_SECONDS: '0',
    });
    const kafka = {
      admin: () => ({
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        listTopics: () => Promise.resolve([]),
        createTopics: ({ topics }: { topics: { topic: string }[] }) => {
          created.push(...topics.map((t) => t.topic));
          return Promise.resolve(true);
        },
        // ensureTopics waits until every partition has a leader
        fetchTopicMetadata: ({ topics }: { topics: string[] }) =>
          Promise.resolve({
            topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1 }] })),
          }),
      }),
    };
    const producer = {
      topic: (topic: string) =>
        Promise.resolve({
          send: (records: (typeof sent)[number]['records']) => {
            sent.push({ topic, records });
            return Promise.resolve();
          },
        }),
    };

    @Global()
    @Module({
      providers: [
        { provide: NORMALIZER_CONFIG, useValue: config },
        { provide: METRICS, useValue: metrics },
        { provide: KAFKA, useValue: kafka },
        { provide: KAFKA_PRODUCER, useValue: producer },
        { provide: PG_POOL, useValue: fakePool(pg) },
      ],
      exports: [NORMALIZER_CONFIG, METRICS, KAFKA, KAFKA_PRODUCER, PG_POOL],
    })
    class FakeCore {}

    const worker = WorkerModule.register(transportStream, { maxBatchRecords: 100 });
    consumer = worker.controllers![0];
    @Module({})
    class Root {}
    const root: DynamicModule = { module: Root, imports: [FakeCore, worker] };
    app = await NestFactory.createApplicationContext(root, { logger: false });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('subscribes the handler to the raw contract topic, decoding into the raw contract', () => {
    const handle = (consumer.prototype as { handle: () => void }).handle;
    const raw = contractOf('transportRaw');
    expect(Reflect.getMetadata(PATTERN_METADATA, handle)).toEqual([raw.topic]);
    expect(Reflect.getMetadata(PATTERN_EXTRAS_METADATA, handle)).toEqual({
      [KAFKA_HANDLER_OPTIONS]: { mode: 'batch', maxBatchRecords: 100, readerSchema: raw.schema },
    });
  });

  it('creates both topics and loads the reference data at start', () => {
    expect(created).toEqual([
      contractOf('transportRaw').topic,
      contractOf('transportNormalized').topic,
    ]);
    expect(pg.queries).toBe(3);
  });

  it('normalizes a batch: produces, dedups, dead-letters with the reason, counts', async () => {
    const handler = app.get<{ handle(r: KafkaRecord[], c: KafkaContext): Promise<void> }>(consumer);
    const rejected: [KafkaRecord, InvalidRecordError][] = [];
    const ctx = new KafkaContext({
      topic: contractOf('transportRaw').topic,
      partition: 0,
      attempt: 1,
      heartbeat: () => Promise.resolve(),
      reject: (record, error) => rejected.push([record, error]),
      backpressure: () => undefined,
    });
    const bad = status('s-2', { passenger_count: 91 });
    await handler.handle(
      [
        status('s-1'),
        bad,
        status('s-1'),
        status('s-3', { line_id: 'l2', vehicle_type: 'UNKNOWN' }),
      ],
      ctx,
    );

    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe(contractOf('transportNormalized').topic);
    expect(sent[0].records.map((r) => [r.key, r.value.event_id])).toEqual([
      ['B21-V02', 's-1'],
      ['B21-V02', 's-3'],
    ]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0][0]).toBe(bad);
    expect(rejected[0][1]).toBeInstanceOf(InvalidRecordError);
    expect(rejected[0][1].message).toMatch(/^passenger_count_out_of_range: /);

    const text = await metrics.text();
    expect(text).toContain(
      'citypulse_normalizer_records_normalized_total{worker="transport",service="normalizer"} 2',
    );
    expect(text).toContain(
      'citypulse_normalizer_duplicates_dropped_total{worker="transport",service="normalizer"} 1',
    );
    expect(text).toContain(
      'citypulse_normalizer_records_rejected_total{worker="transport",reason="passenger_count_out_of_range",service="normalizer"} 1',
    );
    expect(text).toContain(
      'citypulse_normalizer_reference_refreshes_total{outcome="ok",service="normalizer"} 1',
    );
  });
});
