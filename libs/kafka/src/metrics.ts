/**
 * What the consumer and producer report. libs/observability's `Metrics` has exactly these methods
 * (pass it as is); tests and tools can pass `NOOP_METRICS`.
 */
export interface KafkaMetrics {
  consumed(topic: string, count: number, partition?: number): void;
  produced(topic: string, count: number): void;
  handlerDuration(topic: string, seconds: number): void;
  batchSize(topic: string, size: number): void;
  dlq(topic: string, reason: string): void;
  retry(topic: string, reason: string): void;
  lag(topic: string, partition: number, lag: number): void;
  e2eLatency(topic: string, seconds: number): void;
  /** The latencies of a batch's records at once (else e2eLatency is called per record). */
  e2eLatencies?(topic: string, seconds: ArrayLike<number>): void;
  /** Readiness: whether the consumer or producer is connected to Kafka. */
  kafkaConnected?(connected: boolean): void;
}

export const NOOP_METRICS: KafkaMetrics = {
  consumed: () => undefined,
  produced: () => undefined,
  handlerDuration: () => undefined,
  batchSize: () => undefined,
  dlq: () => undefined,
  retry: () => undefined,
  lag: () => undefined,
  e2eLatency: () => undefined,
};

/** A readiness flag (libs/observability's `Health.flag(name)` is one). */
export interface ReadinessFlag {
  set(ok: boolean, detail?: string): void;
}

/**
 * The same metrics, with the Kafka connection also driving a readiness flag, so /health/ready
 * answers 503 until the consumer or producer is connected.
 */
export function withKafkaReadiness(metrics: KafkaMetrics, ready: ReadinessFlag): KafkaMetrics {
  return {
    consumed: (topic, count, partition) => metrics.consumed(topic, count, partition),
    produced: (topic, count) => metrics.produced(topic, count),
    handlerDuration: (topic, s) => metrics.handlerDuration(topic, s),
    batchSize: (topic, n) => metrics.batchSize(topic, n),
    dlq: (topic, reason) => metrics.dlq(topic, reason),
    retry: (topic, reason) => metrics.retry(topic, reason),
    lag: (topic, partition, lag) => metrics.lag(topic, partition, lag),
    e2eLatency: (topic, s) => metrics.e2eLatency(topic, s),
    ...(metrics.e2eLatencies
      ? { e2eLatencies: (topic: string, s: ArrayLike<number>) => metrics.e2eLatencies!(topic, s) }
      : {}),
    kafkaConnected: (connected) => {
      metrics.kafkaConnected?.(connected);
      ready.set(connected, connected ? undefined : 'not connected to Kafka');
    },
  };
}
