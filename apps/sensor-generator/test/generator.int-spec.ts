/**
 * The generator against the real Kafka and schema registry (make up): a bounded run with every
 * fault lands in a topic of this test's own exactly as the library sequence and the dump say —
 * same records, same keys, same order per partition, broken Avro as raw bytes.
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
import { generateRecords } from '../src/dump/generate';
import { fromJsonLine } from '../src/dump/jsonl';
import type { GeneratedRecord } from '../src/faults/fault-injector';
import { GeneratorModule } from '../src/generator.module';
import { GeneratorService } from '../src/generator.service';
import { planRun } from '../src/run/plan';

interface Received {
  partition: number;
  key: string;
  value: Buffer;
}

describe('sensor-generator (Kafka + registry)', () => {
  const topic = uniqueName('it-generator-raw');
  const dump = join(mkdtempSync(join(tmpdir(), 'gen-')), 'events.jsonl');
  let kafka: Kafka;
  let consumer: Consumer | undefined;

  afterAll(async () => {
    await consumer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('produces exactly the generated sequence, keyed by sensor id, faults included', async () => {
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
    ];
    const config = loadConfig(
      generatorConfigSchema,
      withFlags(flags, { ...stackEnv(), SENSOR_GENERATOR_METRICS_PORT: '0' }),
    );
    kafka = createKafka({ ...config.kafka, logLevel: 'nothing' });
    const app = await NestFactory.createApplicationContext(
      GeneratorModule.forRoot({ config, topic }),
      { logger: false },
    );
    const summary = await app.get(GeneratorService).run();
    await app.close();
    expect(summary.sent).toBe(n);

    // The start is fixed, so `now` plays no part: the library recomputes the run on its own.
    const expected = [...generateRecords(planRun(config.generator, loadCity(), 0).generation, n)];
    const dumped = readFileSync(dump, 'utf8').trim().split('\n').map(fromJsonLine);
    expect(dumped).toEqual(expected);

    const received: Received[] = [];
    consumer = kafka.consumer({ groupId: uniqueName('it-generator-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        received.push({ partition, key: message.key!.toString(), value: message.value! });
        return Promise.resolve();
      },
    });
    await waitFor(() => received.length >= n, {
      timeoutMs: 60_000,
      what: `${n} records on ${topic}`,
    });
    expect(received).toHaveLength(n);

    const { url, auth } = config.registry;
    const serde = new AvroSerde(
      new SchemaRegistryClient({ url, username: auth?.username, password: auth?.password }),
    );
    // Per partition (= per key), the topic holds the records in the order they were generated.
    const byPartition = new Map<number, Received[]>();
    for (const r of received)
      byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
    const keyPartition = new Map<string, number>();
    for (const [p, rs] of byPartition) for (const r of rs) keyPartition.set(r.key, p);
    for (const [p, rs] of byPartition) {
      const want = expected.filter((e) => keyPartition.get(e.key) === p);
      expect(rs.map((r) => r.key)).toEqual(want.map((e) => e.key));
      for (let i = 0; i < rs.length; i++) {
        const w = want[i];
        if (w.kind === 'bytes') expect(rs[i].value.equals(w.bytes)).toBe(true);
        else expect((await serde.decode(rs[i].value)).value).toEqual(w.value);
      }
    }
    const kinds = new Set(expected.flatMap((e: GeneratedRecord) => e.faults));
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
