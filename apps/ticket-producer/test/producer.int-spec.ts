/**
 * The ticket-producer against the real Kafka and schema registry (make up): a bounded run with
 * every fault lands in a topic of this test's own exactly as the library sequence and the dump
 * say — same records, same keys, same order per partition, broken Avro as raw bytes.
 */
import 'reflect-metadata';
import { loadConfig } from '@citypulse/config';
import { AvroSerde, SchemaRegistryClient, createKafka } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { faultyRunFlags, readBackByPartition, type ReceivedRecord } from '@citypulse/simulation';
import { stackEnv, uniqueName, waitFor } from '@citypulse/testing';
import { NestFactory } from '@nestjs/core';
import type { Consumer, Kafka } from 'kafkajs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { producerConfigSchema, withFlags } from '../src/config/producer.config';
import { fromJsonLine } from '../src/dump/jsonl';
import { ProducerModule } from '../src/producer.module';
import { ProducerService } from '../src/producer.service';
import { planRun } from '../src/run/plan';
import { generateTickets } from '../src/tickets/generate';
import type { TicketRecord } from '../src/tickets/ticket-faults';

describe('ticket-producer (Kafka + registry)', () => {
  const topic = uniqueName('it-tickets-raw');
  const dump = join(mkdtempSync(join(tmpdir(), 'tickets-')), 'tickets.jsonl');
  let kafka: Kafka;
  let consumer: Consumer | undefined;

  afterAll(async () => {
    await consumer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('produces exactly the generated sequence, keyed by ticket id, faults included', async () => {
    const n = 3_000;
    const flags = faultyRunFlags({ events: n, batchSize: 400, dump });
    const config = loadConfig(
      producerConfigSchema,
      withFlags(flags, { ...stackEnv(), TICKET_PRODUCER_METRICS_PORT: '0' }),
    );
    kafka = createKafka({ ...config.kafka, logLevel: 'nothing' });
    const app = await NestFactory.createApplicationContext(
      ProducerModule.forRoot({ config, topic }),
      { logger: false },
    );
    const summary = await app.get(ProducerService).run();
    await app.close();
    expect(summary.sent).toBe(n);

    // The start is fixed, so `now` plays no part: the library recomputes the run on its own.
    const expected = [...generateTickets(planRun(config.producer, loadCity(), 0).generation, n)];
    const dumped = readFileSync(dump, 'utf8').trim().split('\n').map(fromJsonLine);
    expect(dumped).toEqual(expected);

    const received: ReceivedRecord[] = [];
    consumer = kafka.consumer({ groupId: uniqueName('it-tickets-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        received.push({ topic, partition, key: message.key!.toString(), value: message.value! });
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
    const decode = async (v: Buffer) => (await serde.decode(v)).value;
    for (const p of await readBackByPartition(received, expected, () => topic, decode))
      expect(p.got).toEqual(p.want);
    const kinds = new Set(expected.flatMap((e: TicketRecord) => e.faults));
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
