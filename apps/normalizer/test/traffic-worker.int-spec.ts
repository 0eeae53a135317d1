/**
 * The traffic worker against the real stack (make up): Kafka, the schema registry and
 * PostgreSQL with the seeded reference tables. Raw records — good, duplicated, impossible, of
 * unknown sensors, and bytes that are not Avro — go into a topic of this test's own; the
 * normalized topic and the DLQ are read back and checked record by record.
 */
import 'reflect-metadata';
import { loadConfig } from '@citypulse/config';
import {
  contractOf,
  dlqTopic,
  type TrafficReadingNormalized,
  type TrafficReadingRaw,
} from '@citypulse/contracts';
import {
  AvroSerde,
  DLQ_HEADERS,
  KafkaProducer,
  SchemaRegistryClient,
  createKafka,
} from '@citypulse/kafka';
import { Metrics } from '@citypulse/observability';
import { stackEnv, uniqueName, waitFor } from '@citypulse/testing';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Consumer, Kafka } from 'kafkajs';
import { normalizerConfigSchema, type NormalizerConfig } from '../src/config/normalizer.config';
import { NormalizerModule } from '../src/normalizer.module';
import { normalizerTransport } from '../src/transport';
import { KMH_PER_MPH } from '../src/workers/traffic/traffic-normalizer';

interface Collected<T> {
  key: string;
  value: T;
  headers: Record<string, string>;
}

const now = Date.now();
let seq = 0;
function reading(over: Partial<TrafficReadingRaw> = {}): TrafficReadingRaw {
  seq++;
  return {
    event_id: `it-${seq}`,
    event_time: now - 60_000 + seq,
    sensor_id: 'Z02-S01',
    zone_id: 'Z02',
    speed: 42.5,
    speed_unit: 'KMH',
    vehicle_count: 17,
    occupancy_pct: 21.5,
    source: 'int-test',
    ...over,
  };
}

describe('traffic worker (Kafka + registry + PostgreSQL)', () => {
  const input = uniqueName('it-traffic-raw');
  const output = uniqueName('it-traffic-normalized');
  let config: NormalizerConfig;
  let kafka: Kafka;
  let serde: AvroSerde;
  let producer: KafkaProducer;
  let app: INestMicroservice | undefined;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    config = loadConfig(normalizerConfigSchema, {
      ...stackEnv(),
      NORMALIZER_GROUP_ID: uniqueName('it-normalizer'),
      NORMALIZER_METRICS_PORT: '0',
      NORMALIZER_MAX_BATCH: '50',
    });
    kafka = createKafka({ ...config.kafka, logLevel: 'nothing' });
    const { url, auth } = config.registry;
    serde = new AvroSerde(
      new SchemaRegistryClient({ url, username: auth?.username, password: auth?.password }),
    );
    producer = new KafkaProducer({ kafka, serde });
    await producer.connect();
    const metrics = new Metrics({ service: 'normalizer', defaultMetrics: false });
    app = await NestFactory.createMicroservice(
      NormalizerModule.forRoot(config, metrics, { input, output }),
      {
        strategy: normalizerTransport(config, metrics),
        logger: false,
        abortOnError: false,
      },
    );
    await app.listen();
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await app?.close();
    await producer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [input, output, dlqTopic(input)] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function collect<T>(
    topic: string,
    decode: (b: Buffer) => Promise<T>,
  ): Promise<Collected<T>[]> {
    const out: Collected<T>[] = [];
    const c = kafka.consumer({ groupId: uniqueName('it-reader') });
    consumers.push(c);
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({
          key: message.key?.toString() ?? '',
          value: await decode(message.value!),
          headers,
        });
      },
    });
    return out;
  }

  async function inputFullyCommitted(): Promise<boolean> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(input);
      const [committed] = await admin.fetchOffsets({
        groupId: config.normalizer.NORMALIZER_GROUP_ID!,
        topics: [input],
      });
      // A partition that never got a record has nothing to commit (offset -1, high 0).
      return ends.every((e) => {
        const c = committed?.partitions.find((p) => p.partition === e.partition);
        return e.high === e.low || c?.offset === e.high;
      });
    } finally {
      await admin.disconnect();
    }
  }

  it('normalizes good readings, drops duplicates and sends every bad record to the DLQ with its reason', async () => {
    const good = [
      reading(),
      reading({ sensor_id: 'Z01-S04', zone_id: 'Z01', speed: 20, speed_unit: 'MPH' }),
      reading({ sensor_id: '  z07-s02 ', zone_id: 'z07' }),
      reading({
        sensor_id: 'Z08-S01',
        zone_id: 'Z08',
        speed: 0,
        occupancy_pct: 100,
        vehicle_count: 0,
      }),
    ];
    const duplicates = [{ ...good[0] }, { ...good[2] }];
    const bad: [TrafficReadingRaw, string][] = [
      [reading({ speed: -5 }), 'speed_out_of_range'],
      [reading({ speed: 900 }), 'speed_out_of_range'],
      [reading({ occupancy_pct: 150 }), 'occupancy_out_of_range'],
      [reading({ vehicle_count: -3 }), 'vehicle_count_out_of_range'],
      [reading({ event_time: now + 3_600_000 }), 'event_time_in_future'],
      [reading({ sensor_id: 'Z01-S99' }), 'unknown_sensor'],
      [reading({ sensor_id: 'Z99-S99', zone_id: 'Z99' }), 'unknown_zone'],
      [reading({ zone_id: 'Z03' }), 'zone_mismatch'],
    ];
    const garbage = [
      Buffer.from('{"not":"avro"}'),
      Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3]),
    ];

    const tp = await producer.topic<TrafficReadingRaw>(input, {
      schema: contractOf('trafficRaw').schema,
    });
    // Interleaved, in one partition order per key, as a real stream would have them.
    await tp.send(
      [good[0], bad[0][0], good[1], duplicates[0], bad[1][0], bad[2][0]].map((value) => ({
        key: value.sensor_id.trim().toUpperCase(),
        value,
      })),
    );
    await producer.sendRaw(
      input,
      garbage.map((value) => ({ key: 'Z02-S01', value })),
    );
    await tp.send(
      [...bad.slice(3).map(([v]) => v), good[2], good[3], duplicates[1]].map((value) => ({
        key: value.sensor_id.trim().toUpperCase(),
        value,
      })),
    );

    const normalized = await collect<TrafficReadingNormalized>(
      output,
      async (b) => (await serde.decode(b)).value as TrafficReadingNormalized,
    );
    const dlq = await collect<Buffer>(dlqTopic(input), (b) => Promise.resolve(b));
    await waitFor(
      () => normalized.length >= good.length && dlq.length >= bad.length + garbage.length,
      {
        timeoutMs: 90_000,
        what: `${good.length} normalized and ${bad.length + garbage.length} DLQ records`,
      },
    );
    // Every input record handled (the group committed up to the end of the topic), so nothing
    // more will come: the duplicates really were dropped, not merely late.
    await waitFor(() => inputFullyCommitted(), {
      timeoutMs: 30_000,
      what: 'the group to commit the whole input',
    });
    await waitFor(
      () => normalized.length === good.length && dlq.length === bad.length + garbage.length,
      {
        timeoutMs: 5_000,
        what: 'the readers to catch up',
      },
    );

    expect(normalized.map((n) => n.value.event_id).sort()).toEqual(
      good.map((g) => g.event_id).sort(),
    );
    const byId = new Map(normalized.map((n) => [n.value.event_id, n]));
    expect(byId.get(good[0].event_id)).toMatchObject({
      key: 'Z02-S01',
      value: {
        sensor_id: 'Z02-S01',
        zone_id: 'Z02',
        zone_name: 'Central Station',
        speed_kmh: 42.5,
        speed_limit_kmh: 50,
        capacity: 3200,
        vehicle_count: 17,
        occupancy_pct: 21.5,
        original_speed_unit: 'KMH',
        event_time: good[0].event_time,
        source: 'int-test',
      },
    });
    const mph = byId.get(good[1].event_id)!.value;
    expect(mph.speed_kmh).toBeCloseTo(20 * KMH_PER_MPH, 9);
    expect(mph.original_speed_unit).toBe('MPH');
    expect(mph.zone_name).toBe('Old Town');
    expect(byId.get(good[2].event_id)).toMatchObject({
      key: 'Z07-S02',
      value: { sensor_id: 'Z07-S02', zone_id: 'Z07' },
    });
    for (const n of normalized) expect(n.value.ingested_at).toBeGreaterThanOrEqual(now - 1_000);

    expect(dlq).toHaveLength(bad.length + garbage.length);
    for (const [value, reason] of bad) {
      const hit = dlq.find(
        (d) =>
          d.headers[DLQ_HEADERS.errorMessage]?.startsWith(`${reason}:`) &&
          d.value.includes(Buffer.from(value.event_id)),
      );
      expect({ event: value.event_id, reason, found: hit !== undefined }).toEqual({
        event: value.event_id,
        reason,
        found: true,
      });
      expect(hit!.headers).toMatchObject({
        [DLQ_HEADERS.topic]: input,
        [DLQ_HEADERS.errorCode]: 'INVALID_RECORD',
        [DLQ_HEADERS.service]: 'normalizer',
      });
      // The original bytes, untouched: they decode to the record that was sent.
      expect((await serde.decode(hit!.value)).value).toEqual(value);
    }
    for (const g of garbage) {
      const hit = dlq.find((d) => d.value.equals(g));
      expect(hit?.headers[DLQ_HEADERS.errorCode]).toMatch(/BAD_FRAME|UNKNOWN_SCHEMA/);
    }
  });
});
