import { contractOf, type TrafficReadingNormalized } from '@citypulse/contracts';
import { ensureTopics, type KafkaProducer } from '@citypulse/kafka';
import type { Metrics } from '@citypulse/observability';
import type { ReferenceDataRepository } from '@citypulse/postgres';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { NormalizerConfig } from '../../config/normalizer.config';
import { DedupCache } from '../../dedup/dedup-cache';
import { KAFKA, KAFKA_PRODUCER, METRICS, NORMALIZER_CONFIG, REFERENCE_DATA } from '../../tokens';
import { TrafficBatchProcessor } from './traffic-batch';
import { trafficConsumer } from './traffic.consumer';
import { TRAFFIC_METRICS, TRAFFIC_OUTPUT, type TrafficMetrics } from './traffic.tokens';

export interface TrafficWorkerOptions {
  /** raw readings in (default: the contract's raw traffic topic) */
  inputTopic: string;
  /** normalized readings out (default: the contract's normalized traffic topic) */
  outputTopic: string;
  maxBatchRecords: number;
}

/** The traffic worker: raw traffic readings in, normalized and enriched readings out. */
@Module({})
export class TrafficWorkerModule {
  static register(options: TrafficWorkerOptions): DynamicModule {
    const normalized = contractOf('trafficNormalized');
    return {
      module: TrafficWorkerModule,
      controllers: [trafficConsumer(options)],
      providers: [
        {
          provide: TRAFFIC_OUTPUT,
          inject: [KAFKA, KAFKA_PRODUCER],
          useFactory: async (kafka: Kafka, producer: KafkaProducer) => {
            // Auto-creation is off in the stack: make sure both ends exist (idempotent, any instance).
            await ensureTopics(kafka, [
              { topic: options.inputTopic, partitions: contractOf('trafficRaw').partitions },
              { topic: options.outputTopic, partitions: normalized.partitions },
            ]);
            return producer.topic<TrafficReadingNormalized>(options.outputTopic, {
              schema: normalized.schema,
            });
          },
        },
        {
          provide: TrafficBatchProcessor,
          inject: [REFERENCE_DATA, NORMALIZER_CONFIG],
          useFactory: (reference: ReferenceDataRepository, config: NormalizerConfig) =>
            new TrafficBatchProcessor(
              reference,
              new DedupCache(
                config.normalizer.NORMALIZER_DEDUP_TTL_SECONDS * 1000,
                config.normalizer.NORMALIZER_DEDUP_MAX_ENTRIES,
              ),
            ),
        },
        {
          provide: TRAFFIC_METRICS,
          inject: [METRICS],
          useFactory: (metrics: Metrics): TrafficMetrics => {
            const normalizedTotal = metrics.counter(
              'normalizer_records_normalized_total',
              'Readings validated, normalized and produced, per worker.',
              ['worker'],
            );
            const dups = metrics.counter(
              'normalizer_duplicates_dropped_total',
              'Records dropped because their event id was seen before (in-memory TTL cache).',
              ['worker'],
            );
            const rejected = metrics.counter(
              'normalizer_records_rejected_total',
              'Records sent to the DLQ by the worker, by reason.',
              ['worker', 'reason'],
            );
            return {
              normalized: (n) => normalizedTotal.inc({ worker: 'traffic' }, n),
              duplicates: (n) => dups.inc({ worker: 'traffic' }, n),
              rejected: (reason) => rejected.inc({ worker: 'traffic', reason }),
            };
          },
        },
      ],
    };
  }
}
