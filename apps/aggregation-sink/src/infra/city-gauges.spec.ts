import { catalogProblems, Metrics } from '@citypulse/observability';
import type { AggregateSpec } from '../aggregates/aggregate-spec';
import {
  sampleIncidentsUpdate,
  sampleMobilityUpdate,
  sampleTicketsUpdate,
  sampleTrafficUpdate,
  sampleTransportUpdate,
  SAMPLE_T0,
} from '../aggregates/samples';
import {
  AGGREGATE_SPECS,
  INCIDENTS,
  MOBILITY,
  TICKETS,
  TRAFFIC,
  TRANSPORT,
} from '../aggregates/specs';
import { toWindow } from '../aggregates/windows';
import { CityGauges } from './city-gauges';
import { SinkMetrics } from './sink-metrics';

/** Every sample of a metric as `{labels} value`, labels sorted, `service` left out. */
async function series(m: Metrics, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await m.text()).split('\n')) {
    const x = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!x || x[1] !== `citypulse_${name}`) continue;
    const labels = (x[2] ?? '')
      .split(',')
      .filter((l) => l && !l.startsWith('service='))
      .sort()
      .join(',');
    out[labels] = Number(x[3]);
  }
  return out;
}

function setup() {
  const metrics = new Metrics({ service: 'aggregation-sink', defaultMetrics: false });
  const gauges = new CityGauges(metrics);
  const write = (spec: AggregateSpec, records: object[]) =>
    gauges.written(
      spec,
      records.map((r) => toWindow(spec, r as never)),
    );
  return { metrics, write };
}

describe('CityGauges', () => {
  it("shows each zone's newest window at its newest version, whatever order the updates come in", async () => {
    const { metrics, write } = setup();
    // zone 1: window 1 v2 first, then window 0 (older) and window 1 v1 (older version)
    write(TRAFFIC, [sampleTrafficUpdate(1, 1, 2), sampleTrafficUpdate(2, 1, 1)]);
    write(TRAFFIC, [sampleTrafficUpdate(1, 0, 5), sampleTrafficUpdate(1, 1, 1)]);
    const speed = (zone: number, v: number) => sampleTrafficUpdate(zone, 1, v).avg_speed_kmh;
    expect(await series(metrics, 'city_zone_speed_kmh')).toEqual({
      'zone="Z01"': speed(1, 2),
      'zone="Z02"': speed(2, 1),
    });
    expect(await series(metrics, 'city_zone_congestion_score')).toEqual({
      'zone="Z01"': 20,
      'zone="Z02"': 10,
    });
    expect(await series(metrics, 'city_zone_occupancy_pct')).toEqual({
      'zone="Z01"': 22,
      'zone="Z02"': 21,
    });
    write(TRAFFIC, [sampleTrafficUpdate(1, 1, 3)]);
    expect((await series(metrics, 'city_zone_speed_kmh'))['zone="Z01"']).toBe(speed(1, 3));
    expect(await series(metrics, 'city_window_end_seconds')).toEqual({
      'aggregate="traffic"': (SAMPLE_T0 + 2 * TRAFFIC.windowMs) / 1000,
    });
  });

  it('shows the mobility index and its category as a state set over every symbol of the contract', async () => {
    const { metrics, write } = setup();
    write(MOBILITY, [
      sampleMobilityUpdate(0, 1),
      { ...sampleMobilityUpdate(1, 30), category: 'EXCELLENT' },
    ]);
    expect(await series(metrics, 'city_mobility_index')).toEqual({ '': 90 });
    const category = await series(metrics, 'city_mobility_category');
    expect(Object.keys(category).sort()).toEqual(
      ['CRITICAL', 'EXCELLENT', 'GOOD', 'LOW', 'MODERATE', 'UNKNOWN'].map((c) => `category="${c}"`),
    );
    expect(Object.entries(category).filter(([, v]) => v === 1)).toEqual([
      ['category="EXCELLENT"', 1],
    ]);
  });

  it('labels lines, zones and severities, priorities by their series fields', async () => {
    const { metrics, write } = setup();
    write(TRANSPORT, [sampleTransportUpdate(4, 0, 2)]);
    write(INCIDENTS, [
      sampleIncidentsUpdate(3, 'HIGH', 0, 2),
      sampleIncidentsUpdate(3, 'LOW', 0, 1),
    ]);
    write(TICKETS, [sampleTicketsUpdate('URGENT', 0, 3)]);
    expect(await series(metrics, 'city_line_punctuality_score')).toEqual({ 'line="L4"': 82 });
    expect(await series(metrics, 'city_line_delay_seconds')).toEqual({ 'line="L4"': 10 });
    expect(await series(metrics, 'city_line_crowded_vehicles')).toEqual({ 'line="L4"': 2 });
    expect(await series(metrics, 'city_line_active_vehicles')).toEqual({ 'line="L4"': 4 });
    expect(await series(metrics, 'city_line_occupancy_pct')).toEqual({ 'line="L4"': 42 });
    expect(await series(metrics, 'city_zone_incidents')).toEqual({
      'severity="HIGH",zone="Z03"': 2,
      'severity="LOW",zone="Z03"': 1,
    });
    expect(await series(metrics, 'city_tickets')).toEqual({ 'priority="URGENT"': 15 });
  });

  it('drops a series whose newest window is more than one window behind the newest of its aggregate', async () => {
    const { metrics, write } = setup();
    write(TICKETS, [sampleTicketsUpdate('URGENT', 0, 1), sampleTicketsUpdate('LOW', 0, 1)]);
    write(TICKETS, [sampleTicketsUpdate('LOW', 1, 2)]); // URGENT's window is the one before: kept
    expect(Object.keys(await series(metrics, 'city_tickets')).sort()).toEqual([
      'priority="LOW"',
      'priority="URGENT"',
    ]);
    write(TICKETS, [sampleTicketsUpdate('LOW', 2, 2)]); // now two behind: gone
    expect(await series(metrics, 'city_tickets')).toEqual({ 'priority="LOW"': 10 });
  });

  it('feeds the gauges of the writer observer, and exposes only catalog names with bounded labels', async () => {
    const metrics = new Metrics({ service: 'aggregation-sink', defaultMetrics: false });
    const observer = new SinkMetrics(metrics).writerObserver();
    observer.written!(TICKETS, [toWindow(TICKETS, sampleTicketsUpdate('HIGH', 0, 1))]);
    const text = await metrics.text();
    expect(text).toContain('citypulse_city_tickets{priority="HIGH",service="aggregation-sink"} 5');
    expect(catalogProblems(text)).toEqual([]);
    // write failures start at 0 for every aggregate and store
    const failures = await series(metrics, 'sink_write_failures_total');
    expect(Object.keys(failures)).toHaveLength(AGGREGATE_SPECS.length * 2);
    expect(Object.values(failures).every((v) => v === 0)).toBe(true);
    // bounded label sets: zones, lines, severities, priorities, a state set's enum; never an id
    const labels = new Set(
      AGGREGATE_SPECS.flatMap((spec) => [
        ...Object.values(spec.seriesLabels),
        ...spec.gauges.filter((b) => b.kind === 'state').map((b) => b.field),
      ]),
    );
    expect([...labels].sort()).toEqual(['category', 'line', 'priority', 'severity', 'zone']);
  });
});
