import { uniqueName } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { headersToStrings } from '../src/dlq/dlq-headers';
import { KafkaProducerClient, kafkaMessage } from '../src/nest/kafka-producer.client';
import { KafkaProducer } from '../src/producer/kafka-producer';
import {
  createTopic,
  deleteTopics,
  events,
  newKafka,
  newSerde,
  readMessages,
  TEST_EVENT,
  type TestEvent,
} from './support/stack';

describe('producer', () => {
  const prefix = uniqueName('kt-producer');
  let kafka: Kafka;

  beforeAll(() => {
    kafka = newKafka();
  });

  afterAll(async () => {
    await deleteTopics(kafka, prefix);
  });

  it('buffers produce() calls into batches and flushes them on disconnect', async () => {
    const topic = `${prefix}.buffered`;
    await createTopic(kafka, topic, 3);
    const serde = newSerde();
    const producer = new KafkaProducer({
      kafka,
      serde,
      lingerMs: 20,
      maxBatchRecords: 700,
      maxBufferedRecords: 2_000,
    });
    await producer.connect();
    const tp = await producer.topic<TestEvent>(topic, { schema: TEST_EVENT });
    const values = events(5_000, 'p');
    for (const value of values) await tp.produce({ key: value.id, value });
    await producer.disconnect(); // no explicit flush: disconnect flushes

    const got = await readMessages(kafka, topic, values.length);
    const decoded = await Promise.all(got.map((m) => serde.decode<TestEvent>(m.value)));
    expect(new Set(decoded.map((d) => d.value.id)).size).toBe(values.length);
    expect(decoded.every((d) => d.schemaId === tp.schemaId)).toBe(true);
    const first = got.find((m) => m.key?.toString() === 'p-0')!;
    expect((await serde.decode<TestEvent>(first.value)).value).toEqual(values[0]);
  });

  it('serves as a NestJS ClientProxy: emit() completes once the record is acknowledged', async () => {
    const topic = `${prefix}.client`;
    await createTopic(kafka, topic, 1);
    const serde = newSerde();
    const client = new KafkaProducerClient({
      producer: new KafkaProducer({ kafka, serde }),
      schemas: { [topic]: TEST_EVENT },
    });
    const [a, b] = events(2, 'c');
    await lastValueFrom(client.emit(topic, a), { defaultValue: undefined });
    await lastValueFrom(
      client.emit(topic, kafkaMessage({ key: 'key-b', value: b, headers: { origin: 'test' } })),
      {
        defaultValue: undefined,
      },
    );
    await expect(lastValueFrom(client.send(topic, a))).rejects.toThrow(/emit\(\) only/);
    await client.close();

    const got = await readMessages(kafka, topic, 2);
    const byKey = new Map(got.map((m) => [m.key?.toString() ?? null, m]));
    expect((await serde.decode(byKey.get(null)!.value)).value).toEqual(a);
    const withKey = byKey.get('key-b')!;
    expect((await serde.decode(withKey.value)).value).toEqual(b);
    expect(headersToStrings(withKey.headers).origin).toBe('test');
  });
});
