import type { MobilityIndex5m, TrafficZoneAggregate5m } from '@citypulse/contracts';
import { InvalidAggregateError, toMobilityWindow, toTrafficWindow } from './windows';

const W = 1_700_000_100_000;
const traffic = (over: Partial<TrafficZoneAggregate5m> = {}): TrafficZoneAggregate5m => ({
  event_id: `Z01|${W}|${W + 1000}`,
  event_time: W + 300_000,
  window_start: W,
  window_end: W + 300_000,
  zone_id: 'Z01',
  zone_name: 'Old Town',
  avg_speed_kmh: 31.5,
  min_speed_kmh: 4,
  max_speed_kmh: 55,
  total_vehicle_flow: 420,
  avg_occupancy_pct: 37.5,
  congestion_score: 41,
  readings: 60,
  updated_at: W + 1000,
  ...over,
});

describe('toTrafficWindow', () => {
  it('maps the Avro record, keyed like the Kafka key, times as Dates', () => {
    const w = toTrafficWindow(traffic());
    expect(w).toMatchObject({
      key: `Z01|${W}`,
      zoneId: 'Z01',
      windowStart: new Date(W),
      windowEnd: new Date(W + 300_000),
      totalVehicleFlow: 420,
      updatedAt: new Date(W + 1000),
    });
  });

  it('refuses impossible records, naming every problem', () => {
    const bad = traffic({ window_end: W, avg_speed_kmh: Number.NaN, readings: -1, zone_id: ' ' });
    expect(() => toTrafficWindow(bad)).toThrow(InvalidAggregateError);
    expect(() => toTrafficWindow(bad)).toThrow(
      /window_end is not after window_start; zone_id is empty; avg_speed_kmh NaN .*; readings -1/,
    );
    expect(() => toTrafficWindow(traffic({ min_speed_kmh: 60 }))).toThrow(/min_speed_kmh is above/);
    expect(() => toTrafficWindow(traffic({ updated_at: 0 }))).toThrow(/updated_at 0/);
  });
});

describe('toMobilityWindow', () => {
  const mobility: MobilityIndex5m = {
    event_id: `${W}|${W + 1000}`,
    event_time: W + 300_000,
    window_start: W,
    window_end: W + 300_000,
    avg_speed_kmh: 40,
    avg_occupancy_pct: 30,
    mobility_index: 76,
    category: 'GOOD',
    zones: 12,
    readings: 700,
    updated_at: W + 1000,
  };

  it('maps the Avro record, keyed by window start', () => {
    expect(toMobilityWindow(mobility)).toMatchObject({
      key: String(W),
      mobilityIndex: 76,
      category: 'GOOD',
      zones: 12,
    });
  });

  it('refuses a non-finite index', () => {
    expect(() => toMobilityWindow({ ...mobility, mobility_index: Infinity })).toThrow(
      /mobility_index Infinity is not finite/,
    );
  });
});
