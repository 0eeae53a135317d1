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
