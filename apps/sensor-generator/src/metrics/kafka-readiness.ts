import type { KafkaMetrics } from '@citypulse/kafka';
import type { Metrics } from '@citypulse/observability';

/**
 * libs/kafka's metrics hooks onto the shared Metrics, with the Kafka connection also driving a
 * readiness flag, so /health/ready says 503 until the consumer joined its group.
 */
export function kafkaMetricsWithReadiness(
  metrics: Metrics,
  ready: { set(ok: boolean, detail?: string): void },
): KafkaMetrics {
  return {
    consumed: (topic, count) => metrics.consumed(topic, count),
    produced: (topic, count) => metrics.produced(topic, count),
    handlerDuration: (topic, s) => metrics.handlerDuration(topic, s),
    batchSize: (topic, n) => metrics.batchSize(topic, n),
    dlq: (topic, reason) => metrics.dlq(topic, reason),
    retry: (topic, reason) => metrics.retry(topic, reason),
    lag: (topic, partition, lag) => metrics.lag(topic, partition, lag),
    e2eLatency: (topic, s) => metrics.e2eLatency(topic, s),
    kafkaConnected: (connected) => {
      metrics.kafkaConnected(connected);
      ready.set(connected, connected ? undefined : 'not connected to Kafka');
    },
  };
}
