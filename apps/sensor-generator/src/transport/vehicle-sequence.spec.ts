import { contractOf } from '@citypulse/contracts';
import { testCity } from '../testing/city';
import { VehicleSequence } from './vehicle-sequence';

const START = Date.UTC(2024, 0, 8, 6);

describe('VehicleSequence', () => {
  const city = testCity();
  const make = (seed = 1) =>
    new VehicleSequence({ seed, city, startTime: START, intervalMs: 30_000 });

  it('lets every vehicle report once per interval, in event-time order, as valid contract values', () => {
    const seq = make();
    const n = seq.vehicleCount;
    const type = contractOf('transportRaw').type;
    const rs = Array.from({ length: 3 * n }, () => seq.next().value);
    expect(new Set(rs.slice(0, n).map((r) => r.vehicle_id)).size).toBe(n);
    expect(rs[n].event_time).toBe(START + 30_000);
    for (let i = 1; i < rs.length; i++)
      expect(rs[i].event_time).toBeGreaterThanOrEqual(rs[i - 1].event_time);
    const lines = new Map(city.lines.map((l) => [l.id, l]));
    for (const r of rs) {
      expect(type.isValid(r)).toBe(true);
      const line = lines.get(r.line_id)!;
      expect(r.vehicle_id.startsWith(`${line.id}-V`)).toBe(true);
      expect(r.vehicle_type).toBe(line.mode.toUpperCase());
      expect(r.passenger_count).toBeLessThanOrEqual(line.vehicle_capacity);
      expect(r.next_stop_id).toMatch(new RegExp(`^${line.id}-ST\\d\\d$`));
      expect(r.source).toBe('sensor-generator');
    }
  });

  it('gives unique event ids and the same sequence for the same seed', () => {
    const a = make(7);
    const b = make(7);
    const xs = Array.from({ length: 1_000 }, () => a.next().value);
    expect(Array.from({ length: 1_000 }, () => b.next().value)).toEqual(xs);
    expect(new Set(xs.map((x) => x.event_id)).size).toBe(xs.length);
    expect(make(8).next().value.event_id).not.toBe(xs[0].event_id);
  });
});
