import { contractOf, type StreamName, type ValueOf } from '@citypulse/contracts';
import { ensureTopics, type KafkaProducer } from '@citypulse/kafka';
import type { Metrics } from '@citypulse/observability';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { NormalizerConfig } from '../config/normalizer.config';
import { DedupCache } from '../dedup/dedup-cache';
import { ReferenceCache } from '../reference/reference-cache';
import { KAFKA, KAFKA_PRODUCER, METRICS, NORMALIZER_CONFIG, PG_POOL } from '../tokens';
import { NormalizeBatch, type NormalizedOutput } from './normalize-batch';
import type { RuntimeRejectReason } from './checks';
import type { StreamDefinition } from './stream-definition';
import { workerConsumer } from './worker.consumer';
import { workerMetrics, type WorkerMetrics } from './worker-metrics';
import { NORMALIZE_BATCH, WORKER_METRICS, WORKER_OUTPUT, WORKER_REFERENCE } from './worker.tokens';

export interface WorkerOptions {
  /** raw records in (default: the stream's raw contract topic) */
  inputTopic?: string;
  /** normalized records out (default: the stream's normalized contract topic) */
  outputTopic?: string;
  maxBatchRecords: number;
}

/** Stops the reference refresh before the core module closes the pool. */
@Injectable()
class WorkerShutdown implements OnModuleDestroy {
  constructor(@Inject(WORKER_REFERENCE) private readonly reference: ReferenceCache<unknown>) {}

  onModuleDestroy(): void {
    this.reference.stop();
  }
}

/**
 * The worker runtime: one stream definition in, a Nest module out — the batch Kafka handler of
 * its raw topic, its reference data (loaded, cached, refreshed), the dedup cache, the producer of
 * its normalized topic and its metrics. Everything here is the same for every stream.
 */
@Module({})
export class WorkerModule {
  static register<R extends StreamName, N extends StreamName, Ref, Reason extends string>(
    stream: StreamDefinition<R, N, Ref, Reason>,
    options: WorkerOptions,
  ): DynamicModule {
    const raw = contractOf(stream.raw);
    const normalized = contractOf(stream.normalized);
    const inputTopic = options.inputTopic ?? raw.topic;
    const outputTopic = options.outputTopic ?? normalized.topic;
    const log = new Logger(`Normalizer:${stream.name}`);
    return {
      module: WorkerModule,
      controllers: [
        workerConsumer<R>({
          topic: inputTopic,
          readerSchema: raw.schema,
          maxBatchRecords: options.maxBatchRecords,
        }),
      ],
      providers: [
        {
          provide: WORKER_METRICS,
          inject: [METRICS],
          useFactory: (metrics: Metrics) => workerMetrics(metrics, stream.name),
        },
        {
          provide: WORKER_OUTPUT,
          inject: [KAFKA, KAFKA_PRODUCER],
          useFactory: async (kafka: Kafka, producer: KafkaProducer) => {
            // Auto-creation is off in the stack: make sure both ends exist (idempotent, any instance).
            await ensureTopics(kafka, [
              { topic: inputTopic, partitions: raw.partitions },
              { topic: outputTopic, partitions: normalized.partitions },
            ]);
            return producer.topic<ValueOf<N>>(outputTopic, { schema: normalized.schema });
          },
        },
        {
          provide: WORKER_REFERENCE,
          inject: [PG_POOL, NORMALIZER_CONFIG, WORKER_METRICS],
          useFactory: async (pool: Pool, config: NormalizerConfig, metrics: WorkerMetrics) => {
            const cache = new ReferenceCache(() => stream.reference.load(pool), {
              refreshIntervalMs: config.normalizer.NORMALIZER_REFERENCE_REFRESH_SECONDS * 1000,
              logger: log,
              onRefresh: (ok) => metrics.referenceRefresh(ok),
            });
            await cache.start();
            return cache;
          },
        },
        {
          provide: NORMALIZE_BATCH,
          inject: [NORMALIZER_CONFIG, WORKER_REFERENCE, WORKER_OUTPUT, WORKER_METRICS],
          useFactory: (
            config: NormalizerConfig,
            reference: ReferenceCache<Ref>,
            output: NormalizedOutput<ValueOf<N>>,
            metrics: WorkerMetrics<Reason | RuntimeRejectReason>,
          ) =>
            new NormalizeBatch({
              stream,
              reference,
              output,
              metrics,
              dedup: new DedupCache(
                config.normalizer.NORMALIZER_DEDUP_TTL_SECONDS * 1000,
                config.normalizer.NORMALIZER_DEDUP_MAX_ENTRIES,
              ),
            }),
        },
        WorkerShutdown,
      ],
    };
  }
}
