import type { Metrics } from '@citypulse/observability';
import type { Gauge } from 'prom-client';
import type { AggregateSpec, GaugeBinding } from '../aggregates/aggregate-spec';
import type { AggregateWindow } from '../aggregates/windows';

/** The newest window the gauges show for one series of one aggregate. */
interface Shown {
  windowStart: number;
  version: number;
  labels: Record<string, string>;
}

/**
 * The city gauges of the aggregates the sink writes (libs/observability's CITY_GAUGES; which figure
 * feeds which gauge is in each aggregate's spec, so a new aggregate's gauges come with its spec).
 *
 * Each series (a zone, a line, a zone and severity, a priority; the city for the mobility index)
 * shows its newest window at its newest version: a window the Spark job still fills is updated
 * with every micro-batch, so counts grow within a window and start again with the next. A series
 * whose newest window is more than one window older than the aggregate's newest is removed (a
 * zone and severity with no incident lately, a priority with no ticket): the gauge shows what the
 * latest windows say, not what an hour-old one did. `citypulse_city_window_end_seconds{aggregate}`
 * is the event time the aggregate's gauges stand at.
 */
export class CityGauges {
  private readonly shown = new Map<string, Map<string, Shown>>();
  private readonly newestStart = new Map<string, number>();
  private readonly windowEnd: Gauge<'aggregate'>;

  constructor(private readonly metrics: Metrics) {
    this.windowEnd = metrics.cityGauge('city_window_end_seconds');
  }

  /** Windows both stores now hold (any order, replays and older versions included). */
  written(spec: AggregateSpec, windows: readonly AggregateWindow<unknown>[]): void {
    let series = this.shown.get(spec.name);
    if (!series) this.shown.set(spec.name, (series = new Map<string, Shown>()));
    let newest = this.newestStart.get(spec.name) ?? Number.NEGATIVE_INFINITY;
    for (const w of windows) {
      const f = w.fields as Record<string, unknown>;
      const windowStart = (f.window_start as Date).getTime();
      const version = w.updatedAt.getTime();
      const labels = Object.fromEntries(
        spec.seriesFields.map((k) => [spec.seriesLabels[k], String(f[k])]),
      );
      const id = JSON.stringify(labels);
      const cur = series.get(id);
      if (
        cur &&
        (windowStart < cur.windowStart ||
          (windowStart === cur.windowStart && version < cur.version))
      )
        continue;
      series.set(id, { windowStart, version, labels });
      for (const b of spec.gauges) this.show(b, labels, f[b.field]);
      if (windowStart > newest) {
        newest = windowStart;
        this.windowEnd.set({ aggregate: spec.name }, (f.window_end as Date).getTime() / 1000);
      }
    }
    this.newestStart.set(spec.name, newest);
    for (const [id, s] of series) {
      if (s.windowStart >= newest - spec.windowMs) continue;
      for (const b of spec.gauges) this.show(b, s.labels, null);
      series.delete(id);
    }
  }

  /** Sets (or, for null, removes) one binding's series. */
  private show(b: GaugeBinding, labels: Record<string, string>, value: unknown): void {
    const g = this.metrics.cityGauge(b.gauge) as Gauge<string>;
    if (b.kind === 'value') {
      if (typeof value === 'number') g.set(labels, value);
      else g.remove(labels);
      return;
    }
    for (const symbol of b.symbols) {
      const l = { ...labels, [b.field]: symbol };
      if (typeof value === 'string') g.set(l, symbol === value ? 1 : 0);
      else g.remove(l);
    }
  }
}
