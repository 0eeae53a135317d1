/**
 * The generator against the real Kafka and schema registry (make up): a bounded run of every
 * stream with every fault lands in topics of this test's own exactly as the library sequence and
 * the dump say — same records, same keys, same order per partition, broken Avro as raw bytes.
 */
import 'reflect-metadata';
import { loadConfig } from '@citypulse/config';
import { AvroSerde, SchemaRegistryClient, createKafka } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { faultyRunFlags, readBackByPartition, type ReceivedRecord } from '@citypulse/simulation';
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
      ...faultyRunFlags({ events: n, batchSize: 700, dump }),
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

    const received: ReceivedRecord[] = [];
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
    const decode = async (v: Buffer) => (await serde.decode(v)).value;
    const topicOf = (e: CityRecord) => topics[e.stream];
    for (const p of await readBackByPartition(received, expected, topicOf, decode))
      expect(p.got).toEqual(p.want);
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
