import { contractOf } from '@citypulse/contracts';
import type { IncidentRaw } from '@citypulse/contracts';
import { testCity } from '../testing/city';
import { IncidentSequence } from './incident-sequence';
import { IncidentTimeline } from './incident-timeline';

const START = Date.UTC(2024, 0, 8, 6, 30);

describe('IncidentSequence', () => {
  const city = testCity();
  const sequence = (seed: string | number, perZonePerDay = 3) =>
    new IncidentSequence(
      new IncidentTimeline(seed, city, { startTime: START, perZonePerDay }),
      city,
    );
  const take = (s: IncidentSequence, n: number): IncidentRaw[] =>
    Array.from({ length: n }, () => s.next().value);

  it('reports every incident in event-time order, each one REPORTED first and RESOLVED last', () => {
    const rs = take(sequence(1), 600);
    for (let i = 1; i < rs.length; i++)
      expect(rs[i].event_time).toBeGreaterThanOrEqual(rs[i - 1].event_time);
    expect(rs[0].event_time).toBeGreaterThanOrEqual(START);
    const byIncident = new Map<string, IncidentRaw[]>();
    for (const r of rs)
      byIncident.set(r.incident_id, [...(byIncident.get(r.incident_id) ?? []), r]);
    let complete = 0;
    for (const reports of byIncident.values()) {
      expect(reports[0].status).toBe('REPORTED');
      const resolved = reports.findIndex((r) => r.status === 'RESOLVED');
      if (resolved >= 0) {
        complete++;
        expect(resolved).toBe(reports.length - 1);
        expect(reports.slice(1, -1).every((r) => r.status === 'UPDATED')).toBe(true);
      }
      // one incident, one zone, one type
      expect(new Set(reports.map((r) => `${r.zone_id}/${r.incident_type}`)).size).toBe(1);
    }
    expect(complete).toBeGreaterThan(byIncident.size * 0.8);
  });

  it('writes valid contract values from the city`s zones, the same for the same seed', () => {
    const rs = take(sequence(2), 200);
    const type = contractOf('incidentsRaw').type;
    const zones = new Set(city.zones.map((z) => z.id));
    for (const r of rs) {
      expect(type.isValid(r)).toBe(true);
      expect(zones.has(r.zone_id)).toBe(true);
      expect(r.source).toBe('sensor-generator');
      expect((r.latitude === null) === (r.longitude === null)).toBe(true);
    }
    expect(take(sequence(2), 200)).toEqual(rs);
    expect(new Set(rs.map((r) => r.event_id)).size).toBe(rs.length);
  });

  it('has nothing to send without incidents', () => {
    const s = sequence(1, 0);
    expect(s.peekTime()).toBe(Infinity);
    expect(() => s.next()).toThrow(/ended/);
  });
});
