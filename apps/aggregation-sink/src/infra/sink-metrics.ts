import type { KafkaMetrics } from '@citypulse/kafka';
import type { Metrics } from '@citypulse/observability';
import type { Counter, Histogram } from 'prom-client';
import type { AggregateSpec } from '../aggregates/aggregate-spec';
import type { WriterObserver } from '../aggregates/aggregate-writer';
import { AGGREGATE_SPECS } from '../aggregates/specs';
import { CityGauges } from './city-gauges';

/**
 * The sink's own figures, next to the shared consumer metrics of libs/observability:
 *   citypulse_sink_windows_total{kind,store,outcome}  outcome = inserted | updated | unchanged
 *   citypulse_sink_write_duration_seconds{kind,store}
 *   citypulse_sink_write_failures_total{kind,store}
 * "unchanged" counts replays and late (older) updates that the conditional upsert left alone.
 * Failures start at 0 for every aggregate and store, so a dashboard shows "none" rather than
 * nothing. And the city gauges (CityGauges) from the windows written.
 */
export class SinkMetrics {
  private readonly windows: Counter<'kind' | 'store' | 'outcome'>;
  private readonly duration: Histogram<'kind' | 'store'>;
  private readonly failures: Counter<'kind' | 'store'>;

  private readonly city: CityGauges;

  constructor(
    readonly metrics: Metrics,
    specs: readonly AggregateSpec[] = AGGREGATE_SPECS,
  ) {
    this.windows = metrics.counter(
      'sink_windows_total',
      'Window updates per store, by outcome (inserted, updated, unchanged = a replay or an older version).',
      ['kind', 'store', 'outcome'],
    );
    this.duration = metrics.histogram(
      'sink_write_duration_seconds',
      'Time to upsert one batch into one store.',
      ['kind', 'store'],
    );
    this.failures = metrics.counter(
      'sink_write_failures_total',
      'Batch writes that failed (retried with backoff), per store.',
      ['kind', 'store'],
    );
    for (const { name } of specs)
      for (const store of ['postgres', 'mongodb'] as const)
        this.failures.inc({ kind: name, store }, 0);
    this.city = new CityGauges(metrics);
  }

  writerObserver(): WriterObserver {
    return {
      stored: (r) => {
        for (const store of ['postgres', 'mongodb'] as const) {
          for (const outcome of ['inserted', 'updated', 'unchanged'] as const) {
            const n = r[store][outcome];
            if (n > 0) this.windows.inc({ kind: r.kind, store, outcome }, n);
          }
        }
      },
      failed: (store, kind) => this.failures.inc({ kind, store }),
      durationSeconds: (store, kind, s) => this.duration.observe({ kind, store }, s),
      written: (spec, windows) => this.city.written(spec, windows),
    };
  }

  /** The shared instruments in the shape libs/kafka's consumer reports to. */
  kafka(): KafkaMetrics {
    const m = this.metrics;
    return {
      consumed: (topic, n) => m.consumed(topic, n),
      produced: (topic, n) => m.produced(topic, n),
      handlerDuration: (topic, s) => m.handlerDuration(topic, s),
      batchSize: (topic, n) => m.batchSize(topic, n),
      dlq: (topic, reason) => m.dlq(topic, reason),
      retry: (topic, reason) => m.retry(topic, reason),
      lag: (topic, partition, lag) => m.lag(topic, partition, lag),
      e2eLatency: (topic, s) => m.instruments.endToEndLatency.observe({ topic }, s),
      kafkaConnected: (c) => m.kafkaConnected(c),
    };
  }
}
