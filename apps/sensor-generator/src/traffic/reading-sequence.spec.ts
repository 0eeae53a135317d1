import { testCity } from '../testing/city';
import { KMH_PER_MPH, ReadingSequence } from './reading-sequence';

const START = Date.UTC(2024, 0, 8, 6);

describe('ReadingSequence', () => {
  const city = testCity();
  const make = (seed = 1, intervalMs = 30_000) =>
    new ReadingSequence({ seed, city, startTime: START, intervalMs });

  it('lets every sensor report once per interval, spread evenly, in event-time order', () => {
    const seq = make();
    const n = city.sensors.length;
    const rounds = Array.from({ length: 3 * n }, () => seq.next().value);
    expect(rounds.slice(0, n).map((r) => r.sensor_id)).toEqual(city.sensors.map((s) => s.id));
    expect(rounds[n].event_time).toBe(START + 30_000);
    for (let i = 1; i < rounds.length; i++) {
      expect(rounds[i].event_time).toBeGreaterThanOrEqual(rounds[i - 1].event_time);
    }
    expect(rounds[n - 1].event_time).toBeLessThan(START + 30_000);
  });

  it('reports the zone the reference data puts the sensor in, and the sensor unit', () => {
    const seq = make();
    const sensors = new Map(city.sensors.map((s) => [s.id, s]));
    for (let i = 0; i < city.sensors.length; i++) {
      const r = seq.next().value;
      const s = sensors.get(r.sensor_id)!;
      expect(r.zone_id).toBe(s.zone_id);
      expect(r.speed_unit).toBe(s.unit === 'mph' ? 'MPH' : 'KMH');
      expect(r.source).toBe('sensor-generator');
    }
  });

  it('writes mph sensors in miles per hour', () => {
    const a = make(9);
    const mph = city.sensors.findIndex((s) => s.unit === 'mph');
    const zone = city.zones.find((z) => z.id === city.sensors[mph].zone_id)!;
    let r = a.next().value;
    for (let i = 0; i < mph; i++) r = a.next().value;
    expect(r.speed_unit).toBe('MPH');
    // Free-flowing at 6 am: close to the limit, which is in km/h.
    expect(r.speed * KMH_PER_MPH).toBeLessThan(zone.speed_limit_kmh * 1.4);
    expect(r.speed).toBeLessThan(zone.speed_limit_kmh);
  });

  it('gives unique event ids and the same sequence for the same seed', () => {
    const a = make(7);
    const b = make(7);
    const xs = Array.from({ length: 2_000 }, () => a.next().value);
    const ys = Array.from({ length: 2_000 }, () => b.next().value);
    expect(xs).toEqual(ys);
    expect(new Set(xs.map((x) => x.event_id)).size).toBe(xs.length);
    expect(make(8).next().value.event_id).not.toBe(xs[0].event_id);
  });
});
