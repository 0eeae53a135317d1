import { testCity } from '../testing/city';
import { INCIDENT_MALFORMED_VARIANTS, corruptReport } from './incident-faults';
import { IncidentSequence } from './incident-sequence';
import { IncidentTimeline } from './incident-timeline';

describe('incident faults', () => {
  const city = testCity();
  const base = new IncidentSequence(
    new IncidentTimeline(1, city, { startTime: Date.UTC(2024, 0, 8, 8), perZonePerDay: 10 }),
    city,
  ).next().value;

  it('makes each malformed variant impossible, leaving the original alone', () => {
    const bad = Object.fromEntries(
      INCIDENT_MALFORMED_VARIANTS.map((v) => [v, corruptReport(base, v)]),
    ) as Record<(typeof INCIDENT_MALFORMED_VARIANTS)[number], typeof base>;
    expect(city.zones.map((z) => z.id)).not.toContain(bad.unknown_zone.zone_id);
    expect(bad.far_future.event_time).toBeGreaterThan(base.event_time + 86_400_000);
    expect(bad.unknown_type.incident_type).toBe('UNKNOWN');
    expect(bad.unknown_severity.severity).toBe('UNKNOWN');
    expect(bad.unknown_status.status).toBe('UNKNOWN');
    expect(bad.half_coordinates.latitude).not.toBeNull();
    expect(bad.half_coordinates.longitude).toBeNull();
    expect(bad.latitude_out_of_range.latitude).toBeGreaterThan(90);
    expect(base.status).toBe('REPORTED');
    expect(base.severity).not.toBe('UNKNOWN');
  });
});
