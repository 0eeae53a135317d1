import { testCity } from '../testing/city';
import { IncidentTimeline } from '../incidents/incident-timeline';
import { TrafficModel, demandRatio, isRushHour, rushIntensity } from './traffic-model';

const MONDAY = Date.UTC(2024, 0, 8); // a Monday, 00:00 UTC
const H = 3_600_000;

describe('demandRatio', () => {
  it('peaks in the rush hours and is lowest at night on a weekday', () => {
    const at = (h: number): number => demandRatio('center', MONDAY + h * H);
    expect(at(8)).toBeGreaterThan(at(12));
    expect(at(18)).toBeGreaterThan(at(14));
    expect(at(3)).toBeLessThan(0.15);
    expect(at(8)).toBeGreaterThan(0.7);
  });

  it('has no rush hour on a weekend', () => {
    const saturday = MONDAY + 5 * 24 * H;
    expect(demandRatio('highway', saturday + 8 * H)).toBeLessThan(
      demandRatio('highway', MONDAY + 8 * H) - 0.3,
    );
    expect(isRushHour(saturday + 8 * H)).toBe(false);
    expect(isRushHour(MONDAY + 8 * H)).toBe(true);
    expect(isRushHour(MONDAY + 17.5 * H)).toBe(true);
    expect(isRushHour(MONDAY + 9 * H)).toBe(false);
    expect(rushIntensity(MONDAY + 8 * H)).toBeCloseTo(1, 6);
    expect(rushIntensity(MONDAY + 3 * H)).toBeLessThan(0.001);
    expect(rushIntensity(saturday + 8 * H)).toBe(0);
  });
});

describe('TrafficModel', () => {
  const city = testCity();
  const zone = city.zones.find((z) => z.kind === 'highway')!;
  const sensor = city.sensors.find((s) => s.zone_id === zone.id)!;

  function series(seed: number, fromH: number, toH: number) {
    const model = new TrafficModel(seed, { jamChancePerMinute: 0 });
    const out = [];
    for (let t = MONDAY + fromH * H; t < MONDAY + toH * H; t += 30_000) {
      out.push(model.measure(zone, sensor, t, 30_000));
    }
    return out;
  }
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

  it('is slower, busier and more occupied in the morning rush than at night', () => {
    const night = series(1, 2, 4);
    const rush = series(1, 7.5, 8.5);
    expect(mean(rush.map((m) => m.speedKmh))).toBeLessThan(mean(night.map((m) => m.speedKmh)) - 10);
    expect(mean(rush.map((m) => m.vehicleCount))).toBeGreaterThan(
      mean(night.map((m) => m.vehicleCount)) * 4,
    );
    expect(mean(rush.map((m) => m.occupancyPct))).toBeGreaterThan(
      mean(night.map((m) => m.occupancyPct)),
    );
  });

  it('keeps values physically plausible', () => {
    for (const m of series(2, 0, 24)) {
      expect(m.speedKmh).toBeGreaterThanOrEqual(2);
      expect(m.speedKmh).toBeLessThan(zone.speed_limit_kmh * 1.4);
      expect(m.occupancyPct).toBeGreaterThanOrEqual(0);
      expect(m.occupancyPct).toBeLessThanOrEqual(99);
      expect(Number.isInteger(m.vehicleCount) && m.vehicleCount >= 0).toBe(true);
    }
  });

  it('is deterministic for a seed', () => {
    expect(series(3, 6, 7)).toEqual(series(3, 6, 7));
    expect(series(3, 6, 7)).not.toEqual(series(4, 6, 7));
  });

  it('produces jams that slow a zone down for minutes', () => {
    const model = new TrafficModel(5, { jamChancePerMinute: 0.05 });
    const readings = [];
    for (let t = MONDAY + 7 * H; t < MONDAY + 9 * H; t += 30_000) {
      readings.push(model.measure(zone, sensor, t, 30_000));
    }
    const jammed = readings.filter((m) => m.jammed);
    const free = readings.filter((m) => !m.jammed);
    expect(jammed.length).toBeGreaterThan(10);
    expect(mean(jammed.map((m) => m.speedKmh))).toBeLessThan(
      mean(free.map((m) => m.speedKmh)) * 0.5,
    );
  });

  it('slows a zone while an incident is open there, and only there and then', () => {
    const from = MONDAY + 10 * H;
    const to = MONDAY + 11 * H;
    // A CRITICAL-like incident in the highway zone from 10:20 to 10:40, nothing elsewhere.
    const incidents = {
      pressureAt: (zoneId: string, t: number) =>
        zoneId === zone.id && t >= from + 20 * 60_000 && t < from + 40 * 60_000 ? 0.75 : 0,
    };
    const other = city.sensors.find((s) => s.zone_id !== zone.id)!;
    const otherZone = city.zones.find((z) => z.id === other.zone_id)!;
    const calm = new TrafficModel(9, { jamChancePerMinute: 0 });
    const hit = new TrafficModel(9, { jamChancePerMinute: 0, incidents });
    const during: [number, number][] = [];
    for (let t = from; t < to; t += 30_000) {
      const a = calm.measure(zone, sensor, t, 30_000);
      const b = hit.measure(zone, sensor, t, 30_000);
      // the other zone is unaffected, reading for reading (the same random draws)
      expect(hit.measure(otherZone, other, t, 30_000)).toEqual(
        calm.measure(otherZone, other, t, 30_000),
      );
      if (b.incidentPressure > 0) during.push([a.speedKmh, b.speedKmh]);
      else expect(b).toEqual(a);
    }
    expect(during).toHaveLength(40);
    expect(mean(during.map(([, b]) => b))).toBeLessThan(mean(during.map(([a]) => a)) * 0.35);
  });

  it('reacts to the incidents of the city`s timeline', () => {
    const timeline = new IncidentTimeline(4, city, { startTime: MONDAY, perZonePerDay: 12 });
    const calm = new TrafficModel(4, { jamChancePerMinute: 0 });
    const hit = new TrafficModel(4, { jamChancePerMinute: 0, incidents: timeline });
    const ratios: number[] = [];
    for (let t = MONDAY + 6 * H; t < MONDAY + 22 * H; t += 60_000) {
      for (const s of city.sensors.slice(0, 12)) {
        const z = city.zones.find((x) => x.id === s.zone_id)!;
        const a = calm.measure(z, s, t, 60_000);
        const b = hit.measure(z, s, t, 60_000);
        if (b.incidentPressure > 0) ratios.push(b.speedKmh / a.speedKmh);
      }
    }
    expect(ratios.length).toBeGreaterThan(100);
    expect(mean(ratios)).toBeLessThan(0.8);
  });
});
