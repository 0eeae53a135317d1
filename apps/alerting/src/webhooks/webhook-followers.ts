import type { Alert } from '@citypulse/contracts';
import {
  BatchConsumer,
  InvalidRecordError,
  type AvroSchema,
  type AvroSerde,
  type BatchHandlerContext,
  type KafkaLogger,
  type KafkaMetrics,
  type KafkaRecord,
} from '@citypulse/kafka';
import type { Kafka } from 'kafkajs';
import type { AlertingMetrics } from '../metrics';
import { receiverName, WebhookSender } from './webhook-sender';

export interface WebhookFollowersOptions {
  kafka: Kafka;
  serde: AvroSerde;
  alertsTopic: string;
  groupPrefix: string;
  urls: string[];
  secret: string;
  maxAttempts: number;
  timeoutMs: number;
  /** notifications fetched per handler call: the bounded queue of one receiver */
  queueSize: number;
  metrics: AlertingMetrics;
  kafkaMetrics: KafkaMetrics;
  logger: KafkaLogger;
  readerSchema: AvroSchema;
}

/**
 * One consumer of the alerts topic per receiver, each in its own group (`<prefix>-webhook-<name>`),
 * so a dead receiver holds back only itself: neither the other receivers nor the rule evaluation
 * wait for it, and what it has not acknowledged stays in Kafka (committed only once delivered or
 * dead-lettered), so a restart loses nothing and redelivers with the same idempotency key.
 * A notification that exhausts its retries goes to the alerts topic's DLQ (with the receiver and
 * the last error); after that the receiver counts as down and each following notification gets
 * one attempt, until one succeeds — so an outage drains to the DLQ at the pace of one request
 * each instead of the full backoff each.
 */
export function startWebhookFollowers(o: WebhookFollowersOptions): Promise<BatchConsumer[]> {
  return Promise.all(
    o.urls.map(async (url) => {
      const name = receiverName(url);
      let down = false;
      let ctx: BatchHandlerContext | undefined;
      const sender = new WebhookSender({
        url,
        secret: o.secret,
        timeoutMs: o.timeoutMs,
        backoff: {
          initialMs: 250,
          maxMs: 5_000,
          multiplier: 2,
          jitter: 0.2,
          maxAttempts: o.maxAttempts,
        },
        onAttemptFailed: () => o.metrics.delivery(name, 'failed'),
        wait: async (ms) => {
          const end = Date.now() + ms;
          while (Date.now() < end) {
            await new Promise((r) => setTimeout(r, Math.min(1_000, end - Date.now())));
            await ctx?.heartbeat();
          }
          return true;
        },
      });
      const consumer = new BatchConsumer({
        kafka: o.kafka,
        serde: o.serde,
        groupId: `${o.groupPrefix}-webhook-${name}`,
        service: 'alerting',
        metrics: o.kafkaMetrics,
        logger: o.logger,
        handlers: [
          {
            topic: o.alertsTopic,
            options: { mode: 'batch', maxBatchRecords: o.queueSize, readerSchema: o.readerSchema },
            handle: async (records: KafkaRecord[], c: BatchHandlerContext) => {
              ctx = c;
              for (const r of records as KafkaRecord<Alert>[]) {
                const result = await sender.deliver(r.value, down ? 1 : o.maxAttempts);
                if (result.ok) {
                  down = false;
                  o.metrics.delivery(name, 'delivered');
                  continue;
                }
                down = true;
                o.metrics.delivery(name, 'dead_lettered');
                c.reject(
                  r,
                  new InvalidRecordError(
                    `webhook ${name} (${url}) did not accept ${r.value.event_id} after ${result.attempts} attempt(s): ${result.reason}`,
                  ),
                );
              }
            },
          },
        ],
      });
      await consumer.start();
      o.logger.log(`webhook ${name} follows ${o.alertsTopic} (${url})`);
      return consumer;
    }),
  );
}
