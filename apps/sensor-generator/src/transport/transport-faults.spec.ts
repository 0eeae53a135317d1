import { VehicleSequence } from './vehicle-sequence';
import { TRANSPORT_MALFORMED_VARIANTS, corruptStatus } from './transport-faults';
import { testCity } from '../testing/city';

describe('transport faults', () => {
  const base = new VehicleSequence({
    seed: 1,
    city: testCity(),
    startTime: Date.UTC(2024, 0, 8, 8),
    intervalMs: 30_000,
  }).next().value;
  const capacity = Math.max(...testCity().lines.map((l) => l.vehicle_capacity));
  const lines = new Set(testCity().lines.map((l) => l.id));

  it('makes each malformed variant impossible, leaving the original alone', () => {
    const bad = Object.fromEntries(
      TRANSPORT_MALFORMED_VARIANTS.map((v) => [v, corruptStatus(base, v)]),
    ) as Record<(typeof TRANSPORT_MALFORMED_VARIANTS)[number], typeof base>;
    expect(bad.negative_passengers.passenger_count).toBeLessThan(0);
    expect(bad.passengers_over_capacity.passenger_count).toBeGreaterThan(capacity);
    expect(bad.delay_out_of_range.delay_seconds).toBeGreaterThan(4 * 3_600);
    expect([bad.null_island.latitude, bad.null_island.longitude]).toEqual([0, 0]);
    expect(bad.latitude_out_of_range.latitude).toBeGreaterThan(90);
    expect(bad.nan_longitude.longitude).toBeNaN();
    expect(bad.far_future.event_time).toBeGreaterThan(base.event_time + 86_400_000);
    expect(lines.has(bad.unknown_line.line_id)).toBe(false);
    expect(bad.wrong_vehicle_type.vehicle_type).not.toBe(base.vehicle_type);
    expect(base.passenger_count).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(base.longitude)).toBe(true);
  });
});
