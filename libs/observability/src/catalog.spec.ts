import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogProblems, CITY_GAUGES, METRIC_CATALOG, metricDoc } from './catalog';
import { Metrics } from './metrics';

describe('the metric catalog', () => {
  it('lists every name once', () => {
    const names = METRIC_CATALOG.map((m) => m.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]*[a-z0-9]$/);
    for (const m of METRIC_CATALOG.filter((d) => d.type === 'counter'))
      expect(m.name).toMatch(/_total$/);
  });

  it("is what Metrics' shared instruments and city gauges expose: names, types, labels", async () => {
    const m = new Metrics({ service: 'test', defaultMetrics: false });
    m.consumed('t', 1, 0);
    m.produced('t');
    m.handlerDuration('t', 0.1);
    m.batchSize('t', 1);
    m.dlq('t', 'invalid');
    m.retry('t', 'x');
    m.lag('t', 0, 1);
    m.e2eLatency('t', 1);
    m.late('t');
    m.kafkaConnected(true);
    for (const name of Object.keys(CITY_GAUGES) as (keyof typeof CITY_GAUGES)[]) {
      const labels = Object.fromEntries(CITY_GAUGES[name].labels.map((l) => [l, 'x']));
      m.cityGauge(name).set(labels, 1);
    }
    const text = await m.text();
    expect(catalogProblems(text)).toEqual([]);
    const exposed = new Set([...text.matchAll(/^# TYPE citypulse_(\w+)/gm)].map((x) => x[1]));
    const shared = METRIC_CATALOG.filter(
      (d) => d.exporter === 'every Node service' || d.name.startsWith('city_'),
    );
    expect([...exposed].sort()).toEqual(shared.map((d) => d.name).sort());
  });

  it('names what does not fit: an unknown name, another type, other labels', () => {
    const text = [
      '# TYPE citypulse_nobody_knows_total counter',
      'citypulse_nobody_knows_total 1',
      '# TYPE citypulse_alerts_open histogram',
      '# TYPE citypulse_city_tickets gauge',
      'citypulse_city_tickets{priority="HIGH",ticket_id="T1",service="s"} 3',
      '# TYPE citypulse_spark_batches counter',
      'citypulse_spark_batches_total{query="q"} 2',
      '# TYPE citypulse_sink_write_duration_seconds histogram',
      'citypulse_sink_write_duration_seconds_bucket{le="1",kind="traffic",store="postgres"} 1',
      'citypulse_sink_write_duration_seconds_sum{kind="traffic",store="postgres"} 1',
    ].join('\n');
    expect(catalogProblems(text, 'x')).toEqual([
      'x: citypulse_nobody_knows_total (counter) is not in the metric catalog',
      'x: citypulse_alerts_open is a histogram, the catalog says gauge',
      'x: citypulse_city_tickets has labels {priority,ticket_id,service}, the catalog says {priority}',
    ]);
    expect(metricDoc('citypulse_spark_batches_total')?.exporter).toBe('spark');
  });

  it('is documented: every name is in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const missing = METRIC_CATALOG.map((d) => `citypulse_${d.name}`).filter(
      (n) => !readme.includes(`\`${n}\``),
    );
    expect(missing).toEqual([]);
  });
});
