import { Metrics } from './metrics';

/** The value of the sample `name` whose labels include every given label (order-insensitive). */
function sample(text: string, name: string, labels: string): number | undefined {
  const want = labels.split(',');
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Set(m[2].split(','));
    if (want.every((l) => have.has(l))) return Number(m[3]);
  }
  return undefined;
}

describe('Metrics', () => {
  it('exposes the shared instruments under one naming scheme with the service label', async () => {
    const m = new Metrics({ service: 'normalizer', defaultMetrics: false });
    m.consumed('traffic.raw', 10, 0);
    m.consumed('traffic.raw', 5, 0);
    m.consumed('traffic.raw', 1, 1);
    m.produced('traffic.normalized', 14);
    m.handlerDuration('traffic.raw', 0.002);
    m.batchSize('traffic.raw', 16);
    m.dlq('traffic.raw', 'decode_error');
    m.dlq('traffic.raw', 'invalid', 2);
    m.retry('traffic.normalized', 'broker_unavailable');
    m.lag('traffic.raw', 0, 42);
    m.observeEventTime('traffic.raw', 1_000, 3_500);
    m.late('traffic.normalized', 3);
    m.kafkaConnected(true);

    const text = await m.text();
    expect(
      sample(
        text,
        'citypulse_records_consumed_total',
        'topic="traffic.raw",partition="0",service="normalizer"',
      ),
    ).toBe(15);
    expect(
      sample(
        text,
        'citypulse_records_consumed_total',
        'topic="traffic.raw",partition="1",service="normalizer"',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'citypulse_records_produced_total',
        'topic="traffic.normalized",service="normalizer"',
      ),
    ).toBe(14);
    expect(
      sample(
        text,
        'citypulse_dlq_records_total',
        'topic="traffic.raw",reason="invalid",service="normalizer"',
      ),
    ).toBe(2);
    expect(
      sample(
        text,
        'citypulse_retries_total',
        'topic="traffic.normalized",reason="broker_unavailable",service="normalizer"',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'citypulse_consumer_lag_records',
        'topic="traffic.raw",partition="0",service="normalizer"',
      ),
    ).toBe(42);
    expect(
      sample(
        text,
        'citypulse_end_to_end_latency_seconds_sum',
        'topic="traffic.raw",service="normalizer"',
      ),
    ).toBe(2.5);
    expect(
      sample(
        text,
        'citypulse_handler_duration_seconds_count',
        'topic="traffic.raw",service="normalizer"',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'citypulse_batch_size_records_bucket',
        'le="25",topic="traffic.raw",service="normalizer"',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'citypulse_late_records_total',
        'topic="traffic.normalized",service="normalizer"',
      ),
    ).toBe(3);
    expect(sample(text, 'citypulse_kafka_connected', 'service="normalizer"')).toBe(1);
  });

  it('observes a batch of end-to-end latencies as that many observations', async () => {
    const m = new Metrics({ service: 'normalizer', defaultMetrics: false });
    m.e2eLatencies('traffic.raw', Float64Array.of(0.02, 0.3, 700));
    m.e2eLatency('traffic.raw', 0.04);
    const text = await m.text();
    const at = (name: string, le = '') =>
      sample(text, name, `${le}topic="traffic.raw",service="normalizer"`);
    expect(at('citypulse_end_to_end_latency_seconds_count')).toBe(4);
    expect(at('citypulse_end_to_end_latency_seconds_sum')).toBeCloseTo(700.36);
    expect(at('citypulse_end_to_end_latency_seconds_bucket', 'le="0.05",')).toBe(2);
    expect(at('citypulse_end_to_end_latency_seconds_bucket', 'le="600",')).toBe(3);
  });

  it('adds Node default metrics with the service label', async () => {
    const m = new Metrics({ service: 'sensor-generator' });
    const text = await m.text();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="sensor-generator"\} /m);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('keeps registries apart, one per Metrics', async () => {
    const a = new Metrics({ service: 'a', defaultMetrics: false });
    const b = new Metrics({ service: 'b', defaultMetrics: false });
    a.produced('t', 1);
    expect(await b.text()).not.toContain('service="a"');
  });

  it('creates service-specific metrics with the prefix, once', async () => {
    const m = new Metrics({ service: 'alerting', defaultMetrics: false });
    const c1 = m.counter('alerts_fired_total', 'Alerts fired.', ['rule']);
    const c2 = m.counter('alerts_fired_total', 'Alerts fired.', ['rule']);
    expect(c1).toBe(c2);
    c1.inc({ rule: 'congestion' });
    m.gauge('open_alerts', 'Open alerts.').set(4);
    m.histogram('sink_write_seconds', 'Sink write time.', ['sink']).observe(
      { sink: 'mongo' },
      0.01,
    );
    const text = await m.text();
    expect(text).toContain('citypulse_alerts_fired_total{rule="congestion",service="alerting"} 1');
    expect(text).toContain('citypulse_open_alerts{service="alerting"} 4');
    expect(
      sample(text, 'citypulse_sink_write_seconds_count', 'sink="mongo",service="alerting"'),
    ).toBe(1);
    expect(() => m.counter('citypulse_x', 'x')).toThrow(/without citypulse_/);
  });

  it('rejects a service name that would make a bad label', () => {
    expect(() => new Metrics({ service: 'Bad Name' })).toThrow();
  });
});
