import { CityDefinition, loadCity, validateCity } from './city';

describe('the city definition', () => {
  const city = loadCity();

  it('is a dozen zones, each with sensors, and transport lines', () => {
    expect(city.zones).toHaveLength(12);
    for (const zone of city.zones) {
      expect(city.sensors.filter((s) => s.zone_id === zone.id).length).toBeGreaterThanOrEqual(3);
    }
    expect(city.lines.length).toBeGreaterThan(0);
  });

  it('has some sensors reporting in mph, so the normalizer has units to convert', () => {
    expect(city.sensors.some((s) => s.unit === 'mph')).toBe(true);
  });

  it('uses canonical (trimmed, upper-case) ids', () => {
    const ids = [...city.zones, ...city.sensors, ...city.lines].map((x) => x.id);
    for (const id of ids) expect(id).toBe(id.trim().toUpperCase());
  });

  it('reports every problem of a broken definition', () => {
    const broken: CityDefinition = {
      version: 1,
      zones: [
        { id: 'Z1', name: 'A', kind: 'center', speed_limit_kmh: 50, capacity: 100, lanes: 1 },
        { id: 'Z1', name: '', kind: 'moon' as never, speed_limit_kmh: 0, capacity: 1, lanes: 1 },
      ],
      sensors: [{ id: 'S1', zone_id: 'NOPE', unit: 'knots' as never, lanes: 1 }],
      lines: [
        { id: 'L', name: 'L', mode: 'bus', vehicle_capacity: 50, vehicles: 2, zone_ids: ['Z9'] },
      ],
    };
    expect(validateCity(broken)).toEqual([
      'zone id Z1 is defined twice',
      'zone Z1 has no name',
      'zone Z1 has unknown kind moon',
      'zone Z1 speed_limit_kmh must be a positive integer',
      'sensor S1 names unknown zone NOPE',
      'sensor S1 has unknown unit knots',
      'line L names unknown zone Z9',
    ]);
  });
});
