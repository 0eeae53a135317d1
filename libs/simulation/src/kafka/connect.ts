import type { KafkaConfig, SchemaRegistryConfig } from '@citypulse/config';
import {
  AvroSerde,
  KafkaProducer,
  SchemaRegistryClient,
  createKafka,
  ensureTopics,
  type KafkaMetrics,
  type TopicSpec,
} from '@citypulse/kafka';

export interface ProducerConnection {
  kafka: KafkaConfig;
  registry: SchemaRegistryConfig;
  /** topics to create if missing (the brokers do not auto-create) */
  topics: readonly TopicSpec[];
  metrics?: KafkaMetrics;
}

/**
 * A connected idempotent Avro producer of libs/kafka, its topics created if missing. Bind each
 * topic to its contract's schema with `producer.topic(name, { schema })`.
 */
export async function connectProducer(c: ProducerConnection): Promise<KafkaProducer> {
  const kafka = createKafka(c.kafka);
  await ensureTopics(kafka, c.topics);
  const serde = new AvroSerde(new SchemaRegistryClient(c.registry));
  const producer = new KafkaProducer({ kafka, serde, ...(c.metrics && { metrics: c.metrics }) });
  await producer.connect();
  return producer;
}
