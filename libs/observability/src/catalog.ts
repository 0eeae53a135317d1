/**
 * Every citypulse_* metric a citypulse process exports, by its exposed name: the registry the
 * dashboards (deploy/grafana), the alert rules (deploy/prometheus) and the README's tables are
 * checked against. The shared instruments of `Metrics` and the city gauges are created from here
 * (a unit test keeps `Metrics` and this list equal); each service's own metrics are created in its
 * code and listed here, and the dashboards' live test (e2e/test/dashboards.e2e-spec.ts) fails when
 * a running service exports a citypulse_* metric that is not here, or one of another type or
 * with other labels.
 */

/** How a metric is exposed (its `# TYPE`). */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** The processes that export citypulse metrics (the Spark job is `spark`). */
export type Exporter =
  | 'every Node service'
  | 'sensor-generator'
  | 'ticket-producer'
  | 'normalizer'
  | 'aggregation-sink'
  | 'alerting'
  | 'spark';

export interface MetricDoc {
  /** the exposed name without the citypulse_ prefix; counters end in _total */
  readonly name: string;
  readonly type: MetricType;
  /** its labels, besides the registry's own (`service`, and `worker` on the normalizer) */
  readonly labels: readonly string[];
  readonly exporter: Exporter;
  /** what it counts or measures, in a sentence */
  readonly help: string;
}

/**
 * The city gauges: what the aggregates and alerts the services write say about the city, one
 * series per zone, line, priority, severity or rule (bounded label sets: never an event, sensor
 * or vehicle id). The aggregation-sink sets them from the newest window of each series it wrote
 * (which gauge a figure feeds is in its aggregate spec, apps/aggregation-sink/src/aggregates/specs.ts);
 * apps/alerting from its open episodes.
 */
export const CITY_GAUGES = {
  city_mobility_index: {
    labels: [],
    exporter: 'aggregation-sink',
    help: 'The city-wide mobility index of the newest 5-minute window, 0-100.',
  },
  city_mobility_category: {
    labels: ['category'],
    exporter: 'aggregation-sink',
    help: 'The category of the newest mobility index window: 1 for it, 0 for every other (a state set).',
  },
  city_zone_speed_kmh: {
    labels: ['zone'],
    exporter: 'aggregation-sink',
    help: "Average speed of the zone's sensors in its newest 5-minute window, km/h.",
  },
  city_zone_congestion_score: {
    labels: ['zone'],
    exporter: 'aggregation-sink',
    help: 'Congestion score of the zone in its newest 5-minute window, 0 (free flow) to 100.',
  },
  city_zone_occupancy_pct: {
    labels: ['zone'],
    exporter: 'aggregation-sink',
    help: "Average detector occupancy of the zone's sensors in its newest 5-minute window, %.",
  },
  city_line_punctuality_score: {
    labels: ['line'],
    exporter: 'aggregation-sink',
    help: "Share of the line's on-time status reports in its newest 10-minute window, %.",
  },
  city_line_delay_seconds: {
    labels: ['line'],
    exporter: 'aggregation-sink',
    help: "Average delay of the line's vehicles in its newest 10-minute window, s (negative: ahead).",
  },
  city_line_occupancy_pct: {
    labels: ['line'],
    exporter: 'aggregation-sink',
    help: "Average occupancy of the line's vehicles in its newest 10-minute window, %.",
  },
  city_line_crowded_vehicles: {
    labels: ['line'],
    exporter: 'aggregation-sink',
    help: "The line's vehicles above 90 % occupancy in its newest 10-minute window.",
  },
  city_line_active_vehicles: {
    labels: ['line'],
    exporter: 'aggregation-sink',
    help: "The line's vehicles that reported in its newest 10-minute window.",
  },
  city_zone_incidents: {
    labels: ['zone', 'severity'],
    exporter: 'aggregation-sink',
    help: 'Incidents of the zone and severity in their newest 15-minute window.',
  },
  city_tickets: {
    labels: ['priority'],
    exporter: 'aggregation-sink',
    help: 'Support tickets opened with the priority in its newest 1-minute window.',
  },
  city_window_end_seconds: {
    labels: ['aggregate'],
    exporter: 'aggregation-sink',
    help: 'End (event time, epoch seconds) of the newest window the sink wrote, per aggregate.',
  },
  city_alerts_open: {
    labels: ['rule', 'severity'],
    exporter: 'alerting',
    help: 'Open alert episodes (FIRING, not yet RESOLVED) by rule and severity; 0 for a rule with none.',
  },
} as const satisfies Record<
  string,
  { labels: readonly string[]; exporter: Exporter; help: string }
>;

export type CityGaugeName = keyof typeof CITY_GAUGES;
export type CityGaugeLabel<N extends CityGaugeName> = (typeof CITY_GAUGES)[N]['labels'][number];

/** Whether a name is one of the city gauges. */
export function isCityGauge(name: string): name is CityGaugeName {
  return Object.prototype.hasOwnProperty.call(CITY_GAUGES, name);
}

const doc = (
  exporter: Exporter,
  type: MetricType,
  name: string,
  labels: readonly string[],
  help: string,
): MetricDoc => ({ name, type, labels, exporter, help });

/** The shared instruments of `Metrics` (every Node service that consumes or produces). */
const SHARED: readonly MetricDoc[] = (
  [
    ['records_consumed_total', 'counter', ['topic', 'partition'], 'Records consumed.'],
    ['records_produced_total', 'counter', ['topic'], 'Records produced (acknowledged).'],
    ['handler_duration_seconds', 'histogram', ['topic'], 'Handler time per call.'],
    ['batch_size_records', 'histogram', ['topic'], 'Records per consumed batch.'],
    ['dlq_records_total', 'counter', ['topic', 'reason'], 'Records sent to a DLQ, by reason.'],
    ['retries_total', 'counter', ['topic', 'reason'], 'Retries of transient failures.'],
    ['consumer_lag_records', 'gauge', ['topic', 'partition'], 'High watermark minus committed.'],
    ['end_to_end_latency_seconds', 'histogram', ['topic'], 'Now minus event time when handled.'],
    ['late_records_total', 'counter', ['topic'], 'Records later than the lateness bound.'],
    ['kafka_connected', 'gauge', [], '1 while the Kafka client is connected.'],
  ] as const
).map(([name, type, labels, help]) => doc('every Node service', type, name, labels, help));

/** libs/simulation's metrics of a simulated source, under its name (literal: grep finds them). */
const simulation = (
  exporter: Exporter,
  [sent, faults, clock, encodeErrors]: readonly [string, string, string, string],
): MetricDoc[] => [
  doc(exporter, 'counter', sent, [], 'Records handed to Kafka.'),
  doc(exporter, 'counter', faults, ['kind'], 'Faults injected into the sent records.'),
  doc(exporter, 'gauge', clock, [], 'Event time of the newest clean record sent.'),
  doc(
    exporter,
    'counter',
    encodeErrors,
    ['topic', 'field'],
    'Records skipped (schema refused a field).',
  ),
];

/** Every citypulse_* metric, by exporter. */
export const METRIC_CATALOG: readonly MetricDoc[] = [
  ...SHARED,
  ...simulation('sensor-generator', [
    'generator_records_sent_total',
    'generator_faults_injected_total',
    'generator_simulated_time_seconds',
    'generator_encode_errors_total',
  ]),
  ...simulation('ticket-producer', [
    'ticket_producer_records_sent_total',
    'ticket_producer_faults_injected_total',
    'ticket_producer_simulated_time_seconds',
    'ticket_producer_encode_errors_total',
  ]),
  doc(
    'normalizer',
    'counter',
    'normalizer_records_normalized_total',
    ['worker'],
    'Records normalized and produced.',
  ),
  doc(
    'normalizer',
    'counter',
    'normalizer_duplicates_dropped_total',
    ['worker'],
    'Repeated event ids dropped.',
  ),
  doc(
    'normalizer',
    'counter',
    'normalizer_records_rejected_total',
    ['worker', 'reason'],
    'Rejects, by reason.',
  ),
  doc(
    'normalizer',
    'counter',
    'normalizer_reference_refreshes_total',
    ['outcome'],
    'Reference data reloads.',
  ),
  doc(
    'aggregation-sink',
    'counter',
    'sink_windows_total',
    ['kind', 'store', 'outcome'],
    'Window updates, by outcome.',
  ),
  doc(
    'aggregation-sink',
    'histogram',
    'sink_write_duration_seconds',
    ['kind', 'store'],
    'Upsert time per batch.',
  ),
  doc(
    'aggregation-sink',
    'counter',
    'sink_write_failures_total',
    ['kind', 'store'],
    'Failed batch writes.',
  ),
  doc('alerting', 'counter', 'alerts_total', ['rule', 'status'], 'Alerts written.'),
  doc('alerting', 'histogram', 'alerting_evaluation_seconds', ['topic'], 'Batch evaluation.'),
  doc(
    'alerting',
    'histogram',
    'alerting_event_to_alert_seconds',
    ['rule'],
    'Ingested to alert acked.',
  ),
  doc('alerting', 'gauge', 'alerts_open', [], 'Open alert episodes.'),
  doc(
    'alerting',
    'counter',
    'webhook_deliveries_total',
    ['receiver', 'outcome'],
    'Delivery attempts.',
  ),
  doc('alerting', 'counter', 'webhook_dead_letters_total', ['receiver'], 'Notifications given up.'),
  ...[
    ['spark_input_rows_total', 'counter', 'Rows read from the source.'],
    ['spark_invalid_records_total', 'counter', 'Messages that were not Avro of the contract.'],
    ['spark_late_records_dropped_total', 'counter', 'Rows dropped behind the watermark.'],
    ['spark_batches_total', 'counter', 'Completed micro-batches.'],
    ['spark_batch_duration_seconds', 'gauge', 'Duration of the last micro-batch.'],
    ['spark_state_rows', 'gauge', "Rows in the query's state stores."],
    ['spark_watermark_timestamp_seconds', 'gauge', 'The event-time watermark.'],
    ['spark_event_time_max_seconds', 'gauge', 'Newest event time the query has read.'],
    ['spark_query_active', 'gauge', '1 while the query runs.'],
    ['spark_query_failures_total', 'counter', 'Queries that ended with an exception.'],
  ].map(([name, type, help]) => doc('spark', type as MetricType, name, ['query'], help)),
  doc(
    'spark',
    'counter',
    'spark_stream_late_records_dropped_total',
    ['stream'],
    'Late rows per stream.',
  ),
  ...Object.entries(CITY_GAUGES).map(([name, g]) =>
    doc(g.exporter, 'gauge', name, g.labels, g.help),
  ),
];

/** The catalog entry of an exposed name (with or without the citypulse_ prefix). */
export function metricDoc(name: string): MetricDoc | undefined {
  const bare = name.startsWith('citypulse_') ? name.slice('citypulse_'.length) : name;
  return METRIC_CATALOG.find((m) => m.name === bare);
}

/** Labels a registry puts on every metric (Metrics' `service`, the normalizer's `worker`), and `le`. */
const REGISTRY_LABELS = new Set(['service', 'worker', 'le']);

/**
 * What in a Prometheus text exposition does not fit the catalog: a citypulse_* family it does not
 * list, of another type, or a sample without one of the family's labels or with one it does not
 * list (besides REGISTRY_LABELS). Empty when everything fits.
 */
export function catalogProblems(text: string, source = '/metrics'): string[] {
  const families = new Map<string, string>();
  const samples: { name: string; labels: string[] }[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (citypulse_\w+) (\w+)/.exec(line);
    if (type) families.set(type[1], type[2]);
    const sample = /^(citypulse_\w+)(?:\{(.*)\})? /.exec(line);
    if (sample)
      samples.push({
        name: sample[1],
        labels: [...(sample[2] ?? '').matchAll(/(\w+)="(?:[^"\\]|\\.)*"/g)].map((m) => m[1]),
      });
  }
  const out: string[] = [];
  // prometheus_client names a counter's family without its _total; the catalog, like prom-client, with
  const exposed = (family: string, type: string) =>
    type === 'counter' && !family.endsWith('_total') ? `${family}_total` : family;
  for (const [family, type] of families) {
    const d = metricDoc(exposed(family, type));
    if (!d) out.push(`${source}: ${exposed(family, type)} (${type}) is not in the metric catalog`);
    else if (d.type !== type)
      out.push(`${source}: ${exposed(family, type)} is a ${type}, the catalog says ${d.type}`);
  }
  for (const s of samples) {
    const family = [...families.keys()]
      .filter((f) => s.name === f || s.name.startsWith(`${f}_`))
      .sort((a, b) => b.length - a.length)[0];
    const d = family && metricDoc(exposed(family, families.get(family)!));
    if (!d) continue;
    const missing = d.labels.filter((l) => !s.labels.includes(l));
    const extra = s.labels.filter((l) => !d.labels.includes(l) && !REGISTRY_LABELS.has(l));
    if (missing.length > 0 || extra.length > 0)
      out.push(
        `${source}: ${s.name} has labels {${s.labels.join(',')}}, the catalog says {${d.labels.join(',')}}`,
      );
  }
  return [...new Set(out)];
}
