import type { Alert } from '@citypulse/contracts';
import {
  BatchConsumer,
  TransientError,
  type AvroSchema,
  type AvroSerde,
  type KafkaLogger,
  type KafkaMetrics,
  type KafkaRecord,
} from '@citypulse/kafka';
import type { Kafka } from 'kafkajs';
import type { AlertStore } from './alert-store';

/**
 * Follows the alerts topic into PostgreSQL in its own consumer group, off the hot path: the rule
 * evaluation never waits for the database, and a database outage only delays the tables (writes
 * are retried with backoff; the topic keeps what is not written yet).
 */
export async function startStoreFollower(o: {
  kafka: Kafka;
  serde: AvroSerde;
  alertsTopic: string;
  groupId: string;
  store: AlertStore;
  readerSchema: AvroSchema;
  kafkaMetrics: KafkaMetrics;
  logger: KafkaLogger;
}): Promise<BatchConsumer> {
  const consumer = new BatchConsumer({
    kafka: o.kafka,
    serde: o.serde,
    groupId: o.groupId,
    service: 'alerting',
    metrics: o.kafkaMetrics,
    logger: o.logger,
    backoff: { initialMs: 500, maxMs: 15_000, multiplier: 2, jitter: 0.2, maxAttempts: 25 },
    handlers: [
      {
        topic: o.alertsTopic,
        options: { mode: 'batch', maxBatchRecords: 1_000, readerSchema: o.readerSchema },
        handle: async (records: KafkaRecord[]) => {
          try {
            await o.store.write((records as KafkaRecord<Alert>[]).map((r) => r.value));
          } catch (e) {
            throw new TransientError(`writing alerts to PostgreSQL: ${(e as Error).message}`, {
              code: 'SINK_UNAVAILABLE',
              cause: e,
            });
          }
        },
      },
    ],
  });
  await consumer.start();
  return consumer;
}
