import type { TrafficReadingNormalized, TrafficReadingRaw } from '@citypulse/contracts';
import {
  InvalidRecordError,
  KafkaContext,
  KafkaHandler,
  type KafkaRecord,
  type TopicProducer,
} from '@citypulse/kafka';
import type { ReferenceDataRepository } from '@citypulse/postgres';
import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { REFERENCE_DATA } from '../../tokens';
import { TrafficBatchProcessor, type TrafficBatchOutcome } from './traffic-batch';
import { TRAFFIC_METRICS, TRAFFIC_OUTPUT, type TrafficMetrics } from './traffic.tokens';
import type { TrafficRejectReason } from './traffic-normalizer';

/** Reasons that a newer reference snapshot might turn into an accepted reading. */
const REFERENCE_MISSES = new Set<TrafficRejectReason>([
  'unknown_sensor',
  'unknown_zone',
  'zone_mismatch',
  'inactive_sensor',
]);
/** A miss reloads the reference data at most this often (beyond the periodic refresh). */
const MISS_REFRESH_MIN_AGE_MS = 10_000;

export interface TrafficConsumerOptions {
  inputTopic: string;
  maxBatchRecords: number;
}

/**
 * The traffic worker's Kafka handler, built for its input topic (the decorator needs the topic
 * when the class is defined; tests use topics of their own). Per batch: decide (dedup,
 * validate, normalize, enrich), produce the accepted readings, remember their ids, and hand the
 * rejects to the transport's DLQ with the reason.
 */
export function trafficConsumer(options: TrafficConsumerOptions): Type<unknown> {
  @Controller()
  class TrafficConsumer {
    constructor(
      private readonly processor: TrafficBatchProcessor,
      @Inject(TRAFFIC_OUTPUT) private readonly output: TopicProducer<TrafficReadingNormalized>,
      @Inject(REFERENCE_DATA) private readonly reference: ReferenceDataRepository,
      @Inject(TRAFFIC_METRICS) private readonly metrics: TrafficMetrics,
    ) {}

    @KafkaHandler(options.inputTopic, { mode: 'batch', maxBatchRecords: options.maxBatchRecords })
    async handle(
      @Payload() records: KafkaRecord<TrafficReadingRaw>[],
      @Ctx() ctx: KafkaContext,
    ): Promise<void> {
      const items = records.map((r) => ({ value: r.value, source: r }));
      let outcome = this.processor.process(items, Date.now());
      if (outcome.rejected.some((r) => REFERENCE_MISSES.has(r.reason)) && this.referenceIsStale()) {
        // A sensor added since the last refresh: reload once and decide again.
        await this.reference.refresh().catch(() => undefined);
        outcome = this.processor.process(items, Date.now());
      }
      await this.output.send(outcome.accepted.map((a) => ({ key: a.key, value: a.value })));
      this.processor.remember(outcome, Date.now());
      for (const r of outcome.rejected) {
        ctx.reject(r.source, new InvalidRecordError(`${r.reason}: ${r.message}`));
      }
      this.report(outcome);
    }

    private referenceIsStale(): boolean {
      const at = this.reference.loadedAt?.getTime() ?? 0;
      return Date.now() - at >= MISS_REFRESH_MIN_AGE_MS;
    }

    private report(outcome: TrafficBatchOutcome<unknown>): void {
      this.metrics.normalized(outcome.accepted.length);
      this.metrics.duplicates(outcome.duplicates.length);
      for (const r of outcome.rejected) this.metrics.rejected(r.reason);
    }
  }
  return TrafficConsumer;
}
