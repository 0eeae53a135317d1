import { testCity } from '../testing/city';
import { CITY_CENTRE, distanceKm, lineRoute, positionAt, zoneAt, zoneCentres } from './geography';

describe('geography', () => {
  const city = testCity();
  const centres = zoneCentres(city);

  it('places every zone by its kind around the city centre, the same way every time', () => {
    expect(zoneCentres(city)).toEqual(centres);
    for (const z of city.zones) {
      const d = distanceKm(CITY_CENTRE, centres.get(z.id)!);
      if (z.kind === 'center') expect(d).toBeLessThan(2.3);
      if (z.kind === 'highway') expect(d).toBeGreaterThan(5.9);
    }
  });

  it('lays each line through its zones in order, with stops from one terminus to the other', () => {
    for (const line of city.lines) {
      const r = lineRoute(line, centres);
      expect(r.lengthKm).toBeGreaterThan(1);
      expect(r.stops.length).toBeGreaterThanOrEqual(line.zone_ids.length);
      expect(r.stops[0]).toMatchObject({ id: `${line.id}-ST01`, km: 0, zoneId: line.zone_ids[0] });
      expect(r.stops[r.stops.length - 1].km).toBeCloseTo(r.lengthKm, 9);
      expect(r.stops[r.stops.length - 1].zoneId).toBe(line.zone_ids[line.zone_ids.length - 1]);
      for (let i = 1; i < r.stops.length; i++)
        expect(r.stops[i].km).toBeGreaterThan(r.stops[i - 1].km);
      for (const s of r.stops) expect(line.zone_ids).toContain(s.zoneId);
      expect(positionAt(r, 0)).toEqual(centres.get(line.zone_ids[0]));
      expect(zoneAt(r, r.lengthKm)).toBe(line.zone_ids[line.zone_ids.length - 1]);
      // halfway is between the termini
      const mid = positionAt(r, r.lengthKm / 2);
      expect(distanceKm(mid, r.points[0])).toBeLessThan(r.lengthKm);
    }
  });
});
