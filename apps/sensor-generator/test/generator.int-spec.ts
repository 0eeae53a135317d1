/**
 * The generator against the real Kafka and schema registry (make up): a bounded run of every
 * stream with every fault lands in topics of this test's own exactly as the library sequence and
 * the dump say — same records, same keys, same order per partition, broken Avro as raw bytes.
 */
import 'reflect-metadata';
import { loadConfig } from '@citypulse/config';
import { AvroSerde, SchemaRegistryClient, createKafka } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { stackEnv, uniqueName, waitFor } from '@citypulse/testing';
import { NestFactory } from '@nestjs/core';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, Kafka } from 'kafkajs';
import { generatorConfigSchema, withFlags } from '../src/config/generator.config';
import { fromJsonLine } from '../src/dump/jsonl';
import { GeneratorModule } from '../src/generator.module';
import { GeneratorService } from '../src/generator.service';
import { planRun } from '../src/run/plan';
import {
  GENERATOR_STREAMS,
  generateCityRecords,
  type CityRecord,
  type GeneratorStream,
} from '../src/streams/city-streams';

interface Received {
  topic: string;
  partition: number;
  key: string;
  value: Buffer;
}

describe('sensor-generator (Kafka + registry)', () => {
  const topics = Object.fromEntries(
    GENERATOR_STREAMS.map((s) => [s, uniqueName(`it-generator-${s}`)]),
  ) as Record<GeneratorStream, string>;
  const dump = join(mkdtempSync(join(tmpdir(), 'gen-')), 'events.jsonl');
  let kafka: Kafka;
  let consumer: Consumer | undefined;

  afterAll(async () => {
    await consumer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('produces exactly the generated sequence of every stream, keyed by id, faults included', async () => {
    const n = 5_000;
    const flags = [
      ...[
        '--events',
        String(n),
        '--rate',
        'max',
        '--seed',
        'it',
        '--start',
        '2024-01-08T06:00:00Z',
      ],
      ...[
        '--duplicates',
        '0.02',
        '--out-of-order',
        '0.03',
        '--late',
        '0.01',
        '--malformed',
        '0.02',
      ],
      ...['--broken-avro', '0.01', '--messy-ids', '0.02', '--batch-size', '700', '--dump', dump],
      // incidents are rare at 2 per zone and day: enough of them to carry every fault
      ...['--incidents-per-day', '400'],
    ];
    const config = loadConfig(
      generatorConfigSchema,
      withFlags(flags, { ...stackEnv(), SENSOR_GENERATOR_METRICS_PORT: '0' }),
    );
    kafka = createKafka({ ...config.kafka, logLevel: 'nothing' });
    const app = await NestFactory.createApplicationContext(
      GeneratorModule.forRoot({ config, topics }),
      { logger: false },
    );
    const summary = await app.get(GeneratorService).run();
    await app.close();
    expect(summary.sent).toBe(n);

    // The start is fixed, so `now` plays no part: the library recomputes the run on its own.
    const expected = [
      ...generateCityRecords(planRun(config.generator, loadCity(), 0).generation, n),
    ];
    const dumped = readFileSync(dump, 'utf8')
      .trim()
      .split('\n')
      .map((l) => fromJsonLine(l));
    expect(dumped).toEqual(expected);
    expect(new Set(expected.map((e) => e.stream))).toEqual(new Set(GENERATOR_STREAMS));

    const received: Received[] = [];
    consumer = kafka.consumer({ groupId: uniqueName('it-generator-reader') });
    await consumer.connect();
    await consumer.subscribe({ topics: Object.values(topics), fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        received.push({ topic, partition, key: message.key!.toString(), value: message.value! });
        return Promise.resolve();
      },
    });
    await waitFor(() => received.length >= n, {
      timeoutMs: 60_000,
      what: `${n} records on ${Object.values(topics).join(', ')}`,
    });
    expect(received).toHaveLength(n);

    const { url, auth } = config.registry;
    const serde = new AvroSerde(
      new SchemaRegistryClient({ url, username: auth?.username, password: auth?.password }),
    );
    // Per topic and partition (= per key), the records are in the order they were generated.
    const byPartition = new Map<string, Received[]>();
    for (const r of received) {
      const at = `${r.topic}/${r.partition}`;
      byPartition.set(at, [...(byPartition.get(at) ?? []), r]);
    }
    const keyPartition = new Map<string, string>();
    for (const [at, rs] of byPartition)
      for (const r of rs) keyPartition.set(`${r.topic}/${r.key}`, at);
    for (const [at, rs] of byPartition) {
      const want = expected.filter(
        (e: CityRecord) => keyPartition.get(`${topics[e.stream]}/${e.key}`) === at,
      );
      expect(rs.map((r) => r.key)).toEqual(want.map((e) => e.key));
      for (let i = 0; i < rs.length; i++) {
        const w = want[i];
        if (w.kind === 'bytes') expect(rs[i].value.equals(w.bytes)).toBe(true);
        else expect((await serde.decode(rs[i].value)).value).toEqual(w.value);
      }
    }
    const kinds = new Set(expected.flatMap((e: CityRecord) => e.faults));
    expect([...kinds].sort()).toEqual([
      'broken_avro',
      'duplicate',
      'late',
      'malformed',
      'messy_id',
      'out_of_order',
    ]);
  });
});
