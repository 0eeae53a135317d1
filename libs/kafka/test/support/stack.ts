import { stackEnv, uniqueName, waitFor } from '@citypulse/testing';
import type * as avro from 'avsc';
import { Kafka, type KafkaMessage } from 'kafkajs';
import { createKafka, type KafkaConnectionOptions } from '../../src/connection';
import { AvroSerde } from '../../src/serde/avro-serde';
import { SchemaRegistryClient, type SchemaRegistryOptions } from '@citypulse/contracts';
import { KafkaProducer } from '../../src/producer/kafka-producer';
import { ensureTopics } from '../../src/admin/ensure-topics';

const env = stackEnv();

export const connection: KafkaConnectionOptions = {
  brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  clientId: 'kafka-int',
  logLevel: 'nothing',
};

export const registryOptions: SchemaRegistryOptions = {
  url: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081',
  username: env.SCHEMA_REGISTRY_USERNAME || undefined,
  password: env.SCHEMA_REGISTRY_PASSWORD || undefined,
};

/** A small event type of the tests' own (the library knows nothing of citypulse's contracts). */
export const TEST_EVENT: avro.schema.RecordType = {
  type: 'record',
  name: 'TestEvent',
  namespace: 'city.pulse.kafka.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'seq', type: 'long' },
    { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'note', type: 'string', default: '' },
  ],
};

export interface TestEvent {
  id: string;
  seq: number;
  event_time: number;
  note: string;
}

export function newKafka(): Kafka {
  return createKafka({ ...connection, clientId: uniqueName('kafka-int') });
}

export function newSerde(): AvroSerde {
  return new AvroSerde(new SchemaRegistryClient(registryOptions));
}

/**
 * Creates a test topic and waits until every partition has a leader, with the library's own
 * ensureTopics: kafkajs' `waitForLeaders` asks once and failed on a fresh broker at load 20
 * ("This server does not host this topic-partition", a clean-clone make test).
 */
export async function createTopic(
  kafka: Kafka,
  topic: string,
  numPartitions: number,
): Promise<void> {
  await ensureTopics(kafka, [{ topic, partitions: numPartitions }]);
}

/** Deletes the test's topics (and their DLQs); best effort. */
export async function deleteTopics(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine });
  } catch {
    // cleanup only
  } finally {
    await admin.disconnect();
  }
}

export function events(n: number, prefix = 'e', from = 0): TestEvent[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${from + i}`,
    seq: from + i,
    event_time: now,
    note: '',
  }));
}

/** Produces test events through the library's own producer; returns the value schema id. */
export async function produceEvents(
  kafka: Kafka,
  topic: string,
  values: TestEvent[],
): Promise<number> {
  const producer = new KafkaProducer({ kafka, serde: newSerde() });
  await producer.connect();
  try {
    const tp = await producer.topic<TestEvent>(topic, { schema: TEST_EVENT });
    await tp.send(values.map((value) => ({ key: value.id, value })));
    return tp.schemaId;
  } finally {
    await producer.disconnect();
  }
}

/** Reads a topic from the beginning until `count` messages have arrived. */
export async function readMessages(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 200 });
  const out: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        out.push(message);
        return Promise.resolve();
      },
    });
    await waitFor(() => out.length >= count, {
      timeoutMs,
      what: `${count} messages on ${topic} (have ${out.length})`,
    });
    return out;
  } finally {
    await consumer.disconnect();
  }
}
