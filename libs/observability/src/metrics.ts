import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import { CITY_GAUGES, type CityGaugeLabel, type CityGaugeName } from './catalog';

/** Every citypulse metric name starts with this. */
export const METRIC_PREFIX = 'citypulse_';

/** Histogram buckets shared by every service, so dashboards can aggregate across services. */
export const BUCKETS = {
  /** Handler time per record or batch, seconds: 0.1 ms .. 10 s. */
  handlerSeconds: [
    0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  ],
  /** Records per batch. */
  batchRecords: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
  /** Now minus event time, seconds: 10 ms .. 30 min (late data and replays land in the top buckets). */
  latencySeconds: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
} as const;

export interface MetricsOptions {
  /** The service name, set as the `service` label on every metric of this registry. */
  service: string;
  /** Collect Node's default metrics (process_*, nodejs_*; standard names). Default true. */
  defaultMetrics?: boolean;
  /** Labels added to every metric besides `service` (e.g. instance or worker). */
  labels?: Record<string, string>;
}

/**
 * The metrics of one service process: one prom-client registry with the shared citypulse
 * instruments, plus helpers to add a service's own metrics under the same prefix.
 * Create it once at start-up and hand it to libs/kafka and the app's modules.
 */
export class Metrics {
  readonly registry: Registry;
  readonly service: string;

  /** The shared instruments (names in the README). */
  readonly instruments: {
    recordsConsumed: Counter<'topic' | 'partition'>;
    recordsProduced: Counter<'topic'>;
    handlerDuration: Histogram<'topic'>;
    batchSize: Histogram<'topic'>;
    dlqRecords: Counter<'topic' | 'reason'>;
    retries: Counter<'topic' | 'reason'>;
    consumerLag: Gauge<'topic' | 'partition'>;
    endToEndLatency: Histogram<'topic'>;
    lateRecords: Counter<'topic'>;
    kafkaConnected: Gauge;
  };

  // prom-client hashes label values on every call; children are cached per label set so the
  // per-record path costs a map lookup.
  private readonly children = new Map<
    string,
    { inc(n?: number): void; observe?(v: number): void }
  >();

  constructor(opts: MetricsOptions) {
    if (!/^[a-z][a-z0-9-_]*$/.test(opts.service)) {
      throw new Error(`service name must be lower-case letters, digits, - or _: ${opts.service}`);
    }
    this.service = opts.service;
    this.registry = new Registry();
    this.registry.setDefaultLabels({ ...opts.labels, service: opts.service });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });

    this.instruments = {
      recordsConsumed: this.counter(
        'records_consumed_total',
        'Records consumed, per topic and partition.',
        ['topic', 'partition'],
      ),
      recordsProduced: this.counter(
        'records_produced_total',
        'Records produced (acknowledged), per topic.',
        ['topic'],
      ),
      handlerDuration: this.histogram(
        'handler_duration_seconds',
        'Time the handler took per call (one record or one batch).',
        ['topic'],
        BUCKETS.handlerSeconds,
      ),
      batchSize: this.histogram(
        'batch_size_records',
        'Records per consumed batch.',
        ['topic'],
        BUCKETS.batchRecords,
      ),
      dlqRecords: this.counter(
        'dlq_records_total',
        'Records sent to a dead-letter topic, by reason.',
        ['topic', 'reason'],
      ),
      retries: this.counter('retries_total', 'Retries of transient failures, by reason.', [
        'topic',
        'reason',
      ]),
      consumerLag: this.gauge(
        'consumer_lag_records',
        'High watermark minus the committed offset, per partition.',
        ['topic', 'partition'],
      ),
      endToEndLatency: this.histogram(
        'end_to_end_latency_seconds',
        'Now minus the record event time when the record is handled.',
        ['topic'],
        BUCKETS.latencySeconds,
      ),
      lateRecords: this.counter(
        'late_records_total',
        'Records later than the watermark (counted, not merged).',
        ['topic'],
      ),
      kafkaConnected: this.gauge(
        'kafka_connected',
        '1 while the Kafka client is connected, else 0.',
        [],
      ),
    };
  }

  /** Records consumed from a topic (optionally one partition). */
  consumed(topic: string, count = 1, partition?: number): void {
    this.child(
      'c',
      this.instruments.recordsConsumed,
      topic,
      partition === undefined ? '' : String(partition),
    ).inc(count);
  }

  /** Records produced to a topic. */
  produced(topic: string, count = 1): void {
    this.child('p', this.instruments.recordsProduced, topic).inc(count);
  }

  /** One handler call took `seconds`. */
  handlerDuration(topic: string, seconds: number): void {
    this.child('h', this.instruments.handlerDuration, topic).observe!(seconds);
  }

  /** One batch of `size` records was consumed. */
  batchSize(topic: string, size: number): void {
    this.child('b', this.instruments.batchSize, topic).observe!(size);
  }

  /** One record went to the DLQ of `topic` for `reason` (a short stable code, e.g. decode_error). */
  dlq(topic: string, reason: string, count = 1): void {
    this.child('d', this.instruments.dlqRecords, topic, reason).inc(count);
  }

  /** One retry of a transient failure. */
  retry(topic: string, reason: string): void {
    this.child('r', this.instruments.retries, topic, reason).inc(1);
  }

  /** Consumer lag of one partition. */
  lag(topic: string, partition: number, lag: number): void {
    this.instruments.consumerLag.set({ topic, partition: String(partition) }, lag);
  }

  /** End-to-end latency in seconds (see observeEventTime to pass the event time itself). */
  e2eLatency(topic: string, seconds: number): void {
    this.child('e', this.instruments.endToEndLatency, topic).observe!(seconds);
  }

  /** The end-to-end latencies of a batch's records, in seconds (one label lookup per batch). */
  e2eLatencies(topic: string, seconds: ArrayLike<number>): void {
    const c = this.child('e', this.instruments.endToEndLatency, topic);
    for (let i = 0; i < seconds.length; i++) c.observe!(seconds[i]);
  }

  /** End-to-end latency of a record from its event time (epoch millis). */
  observeEventTime(topic: string, eventTimeMs: number, nowMs = Date.now()): void {
    this.e2eLatency(topic, Math.max(0, nowMs - eventTimeMs) / 1000);
  }

  /** Records later than the watermark. */
  late(topic: string, count = 1): void {
    this.child('l', this.instruments.lateRecords, topic).inc(count);
  }

  /** Whether the Kafka client is connected (also a natural readiness check). */
  kafkaConnected(connected: boolean): void {
    this.instruments.kafkaConnected.set(connected ? 1 : 0);
  }

  /** A service's own counter, named citypulse_<name> (get-or-create, so modules can share it). */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.getOrCreate(name, () => new Counter<L>(this.config(name, help, labelNames)));
  }

  /** A service's own gauge, named citypulse_<name>. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: GaugeConfiguration<L>['collect'],
  ): Gauge<L> {
    return this.getOrCreate(
      name,
      () => new Gauge<L>({ ...this.config(name, help, labelNames), collect }),
    );
  }

  /**
   * One of the city gauges (CITY_GAUGES in catalog.ts: its name, labels and help), named
   * citypulse_<name>. `collect` runs at each scrape (a gauge read from state, not pushed).
   */
  cityGauge<N extends CityGaugeName>(
    name: N,
    collect?: GaugeConfiguration<CityGaugeLabel<N>>['collect'],
  ): Gauge<CityGaugeLabel<N>> {
    const g = CITY_GAUGES[name];
    return this.gauge<CityGaugeLabel<N>>(name, g.help, g.labels, collect);
  }

  /** A service's own histogram, named citypulse_<name>. */
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: readonly number[] = BUCKETS.handlerSeconds,
  ): Histogram<L> {
    return this.getOrCreate(
      name,
      () => new Histogram<L>({ ...this.config(name, help, labelNames), buckets: [...buckets] }),
    );
  }

  /** The exposition text of every metric of this registry. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type of text(). */
  get contentType(): string {
    return this.registry.contentType;
  }

  private config<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
  ): CounterConfiguration<L> & HistogramConfiguration<L> {
    if (name.startsWith(METRIC_PREFIX))
      throw new Error(`pass the name without ${METRIC_PREFIX}: ${name}`);
    return { name: METRIC_PREFIX + name, help, labelNames, registers: [this.registry] };
  }

  private getOrCreate<M>(name: string, create: () => M): M {
    const existing = this.registry.getSingleMetric(METRIC_PREFIX + name);
    return existing ? (existing as M) : create();
  }

  private child(
    kind: string,
    metric: Counter<string> | Histogram<string>,
    ...values: string[]
  ): { inc(n?: number): void; observe?(v: number): void } {
    const id = `${kind}\0${values.join('\0')}`;
    let c = this.children.get(id);
    if (!c) {
      c = (
        metric.labels as (...v: string[]) => { inc(n?: number): void; observe?(v: number): void }
      )(...values);
      this.children.set(id, c);
    }
    return c;
  }
}
