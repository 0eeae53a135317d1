import { KafkaBatchTransport, type KafkaMetrics } from '@citypulse/kafka';
import type { NormalizerConfig } from './config/normalizer.config';

/** The batch Kafka transport for this process's worker: one consumer group per worker. */
export function normalizerTransport(
  config: NormalizerConfig,
  metrics: KafkaMetrics,
): KafkaBatchTransport {
  const n = config.normalizer;
  const { url, auth } = config.registry;
  return new KafkaBatchTransport({
    kafka: config.kafka,
    registry: { url, username: auth?.username, password: auth?.password },
    groupId: n.NORMALIZER_GROUP_ID ?? `normalizer-${n.NORMALIZER_WORKER}`,
    service: 'normalizer',
    partitionsConsumedConcurrently: n.NORMALIZER_PARTITIONS_CONCURRENTLY,
    consumerConfig: {
      maxBytesPerPartition: n.NORMALIZER_FETCH_BYTES_PER_PARTITION,
      maxBytes: 8 * n.NORMALIZER_FETCH_BYTES_PER_PARTITION,
    },
    maxRecordBytes: config.limits.maxRecordBytes,
    metrics,
  });
}
