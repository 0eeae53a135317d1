import type { IncidentImpact } from '../incidents/incident-timeline';
import { testCity } from '../testing/city';
import {
  cycleMs,
  scheduled,
  TransportModel,
  type Vehicle,
  type VehicleStatus,
} from './transport-model';

const MONDAY = Date.UTC(2024, 0, 8);
const H = 3_600_000;
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
/** A status with its vehicle by id (cheap to compare). */
const flat = (xs: VehicleStatus[]) => xs.map((s) => ({ ...s, vehicle: s.vehicle.id }));

/** Every vehicle reporting every `stepMs` from `fromH` to `toH` on Monday. */
function run(model: TransportModel, fromH: number, toH: number, stepMs = 30_000): VehicleStatus[] {
  const out: VehicleStatus[] = [];
  for (let t = MONDAY + fromH * H; t < MONDAY + toH * H; t += stepMs) {
    for (const v of model.vehicles) out.push(model.report(v, t));
  }
  return out;
}

describe('TransportModel', () => {
  const city = testCity();

  it('runs every vehicle of every line in the city file', () => {
    const m = new TransportModel(1, city);
    expect(m.vehicles).toHaveLength(city.lines.reduce((n, l) => n + l.vehicles, 0));
    expect(m.vehicles[0].id).toBe(`${city.lines[0].id}-V01`);
    expect(new Set(m.vehicles.map((v) => v.id)).size).toBe(m.vehicles.length);
  });

  it('is deterministic for a seed', () => {
    const a = flat(run(new TransportModel(3, city), 7, 7.5));
    expect(flat(run(new TransportModel(3, city), 7, 7.5))).toEqual(a);
    expect(flat(run(new TransportModel(4, city), 7, 7.5))).not.toEqual(a);
  });

  it('moves each vehicle along its line`s zones, stop to stop, to and fro', () => {
    const m = new TransportModel(5, city);
    const statuses = run(m, 10, 12);
    const wrong = statuses.filter((s) => {
      const { line, route } = s.vehicle;
      const next = route.stops.find((x) => x.id === s.nextStopId);
      return (
        !line.zone_ids.includes(s.zoneId) ||
        !next ||
        s.km < 0 ||
        s.km > route.lengthKm ||
        (s.phase === 'outbound' && next.km < s.km) ||
        (s.phase === 'inbound' && next.km > s.km)
      );
    });
    expect(wrong).toEqual([]);
    // in two hours every vehicle went both ways and visited every zone of its line
    for (const v of m.vehicles) {
      const mine = statuses.filter((s) => s.vehicle === v);
      expect(new Set(mine.map((s) => s.phase))).toEqual(
        new Set(['outbound', 'inbound', 'layover']),
      );
      expect(new Set(mine.map((s) => s.zoneId))).toEqual(new Set(v.line.zone_ids));
    }
  });

  it('spaces a line`s vehicles evenly over its timetable', () => {
    const m = new TransportModel(1, city);
    const l1 = m.vehicles.filter((v) => v.line.id === city.lines[0].id);
    const gaps = l1.slice(1).map((v, i) => v.offsetMs - l1[i].offsetMs);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
    expect(gaps[0] * l1.length).toBeCloseTo(cycleMs(l1[0].route), -1);
  });

  it('carries passengers against capacity: crowded in the morning rush, never over capacity', () => {
    const rush = run(new TransportModel(6, city), 7.75, 8.25);
    const night = run(new TransportModel(6, city), 2.5, 3);
    const impossible = [...rush, ...night].filter(
      (s) => !Number.isInteger(s.passengers) || s.passengers < 0 || s.passengers > s.capacity,
    );
    expect(impossible).toEqual([]);
    const crowded = (xs: VehicleStatus[]) =>
      xs.filter((s) => s.passengers >= 0.9 * s.capacity).length / xs.length;
    expect(crowded(rush)).toBeGreaterThan(0.1);
    expect(crowded(night)).toBe(0);
    expect(mean(night.map((s) => s.passengers / s.capacity))).toBeLessThan(0.1);
    expect(mean(rush.map((s) => s.passengers / s.capacity))).toBeGreaterThan(0.5);
  });

  it('falls behind in the rush hours and makes it up after', () => {
    const m = new TransportModel(7, city);
    const statuses = run(m, 5, 12, 120_000);
    const at = (h: number) =>
      mean(
        statuses
          .filter((s) => s.eventTime >= MONDAY + h * H && s.eventTime < MONDAY + (h + 0.25) * H)
          .filter((s) => s.vehicle.line.mode === 'bus')
          .map((s) => s.delaySeconds),
      );
    expect(at(8.5)).toBeGreaterThan(at(5.5) + 60);
    expect(at(11.5)).toBeLessThan(at(8.5) - 40);
  });

  it('falls behind around an open incident, and the delay shows in the position', () => {
    const line = city.lines.find((l) => l.mode === 'bus')!;
    const zone = line.zone_ids[1];
    const incidents: IncidentImpact = {
      pressureAt: (z, t) => (z === zone && t >= MONDAY + 10 * H && t < MONDAY + 11 * H ? 0.75 : 0),
    };
    const calm = run(new TransportModel(8, city), 10, 11.5);
    const hit = run(new TransportModel(8, city, { incidents }), 10, 11.5);
    const onLine = (xs: VehicleStatus[]) =>
      xs.filter((s) => s.vehicle.line.id === line.id && s.eventTime >= MONDAY + 10.75 * H);
    const calmDelay = mean(onLine(calm).map((s) => s.delaySeconds));
    const hitDelay = mean(onLine(hit).map((s) => s.delaySeconds));
    expect(hitDelay).toBeGreaterThan(calmDelay + 120);
    // lines that never enter the zone are untouched
    const away = city.lines.find((l) => !l.zone_ids.includes(zone))!;
    expect(flat(hit.filter((s) => s.vehicle.line.id === away.id))).toEqual(
      flat(calm.filter((s) => s.vehicle.line.id === away.id)),
    );
    // a late vehicle is where its timetable had it `delay` earlier
    const late = hit.find((s) => s.delaySeconds > 300)!;
    const v: Vehicle = late.vehicle;
    expect(scheduled(v, late.eventTime - late.delaySeconds * 1000).km).toBeCloseTo(late.km, 1);
  });
});
