import type { Alert } from '@citypulse/contracts';
import { isDataError } from '@citypulse/postgres';
import {
  BatchConsumer,
  InvalidRecordError,
  TransientError,
  type AvroSchema,
  type AvroSerde,
  type BatchHandlerContext,
  type KafkaLogger,
  type KafkaMetrics,
  type KafkaRecord,
} from '@citypulse/kafka';
import type { Kafka } from 'kafkajs';
import type { AlertStore } from './alert-store';

/**
 * Follows the alerts topic into PostgreSQL in its own consumer group, off the hot path: the rule
 * evaluation never waits for the database, and a database outage only delays the tables (writes
 * are retried with backoff; the topic keeps what is not written yet). An alert PostgreSQL refuses
 * over its data (isDataError: it would on every retry) goes to the DLQ, found by writing the batch
 * one alert at a time; the others are stored.
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
        handle: (records: KafkaRecord[], ctx: BatchHandlerContext) =>
          writeAlerts(o.store, records as KafkaRecord<Alert>[], ctx),
      },
    ],
  });
  await consumer.start();
  return consumer;
}

/** Writes a batch of alerts; see startStoreFollower. Exported for its unit test. */
export async function writeAlerts(
  store: Pick<AlertStore, 'write'>,
  records: readonly KafkaRecord<Alert>[],
  ctx: Pick<BatchHandlerContext, 'reject'>,
): Promise<void> {
  const retriable = (e: unknown) =>
    new TransientError(`writing alerts to PostgreSQL: ${(e as Error).message}`, {
      code: 'SINK_UNAVAILABLE',
      cause: e,
    });
  try {
    await store.write(records.map((r) => r.value));
    return;
  } catch (e) {
    if (!isDataError(e)) throw retriable(e);
  }
  for (const r of records) {
    try {
      await store.write([r.value]);
    } catch (e) {
      if (!isDataError(e)) throw retriable(e);
      ctx.reject(
        r,
        new InvalidRecordError(
          `PostgreSQL refused alert ${r.value.alert_id}: ${(e as Error).message}`,
          {
            cause: e,
          },
        ),
      );
    }
  }
}
