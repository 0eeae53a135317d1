import { testCity } from '../testing/city';
import { TrafficModel, demandRatio, isRushHour } from './traffic-model';

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
});
