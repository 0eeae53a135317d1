import type { IncidentRaw } from '@citypulse/contracts';
import { CityDirectory } from '../../testing/directory';
import {
  INCIDENT_REJECT_REASONS,
  normalizeIncident,
  type IncidentRejectReason,
} from './incident-normalizer';

const NOW = Date.UTC(2024, 0, 8, 8);
const dir = new CityDirectory();

function raw(over: Partial<IncidentRaw> = {}): IncidentRaw {
  return {
    event_id: 'e-1',
    event_time: NOW - 60_000,
    incident_id: 'inc-42',
    zone_id: 'Z03',
    incident_type: 'ACCIDENT',
    severity: 'HIGH',
    status: 'REPORTED',
    latitude: 53.54,
    longitude: 9.98,
    description: 'two lorries, lane 2 blocked',
    source: 'city-ops',
    ...over,
  };
}

describe('normalizeIncident', () => {
  it('enriches a valid report with its zone name', () => {
    expect(normalizeIncident(raw(), dir, NOW)).toEqual({
      ok: true,
      value: {
        event_id: 'e-1',
        event_time: NOW - 60_000,
        incident_id: 'inc-42',
        zone_id: 'Z03',
        zone_name: 'Harbour',
        incident_type: 'ACCIDENT',
        severity: 'HIGH',
        status: 'REPORTED',
        latitude: 53.54,
        longitude: 9.98,
        description: 'two lorries, lane 2 blocked',
        source: 'city-ops',
        ingested_at: NOW,
      },
    });
  });

  it('canonicalizes the zone id, trims the event and incident ids (keeping their case)', () => {
    const r = normalizeIncident(
      raw({ event_id: ' e-2 ', incident_id: '  Inc-42\n', zone_id: ' z09 ' }),
      dir,
      NOW,
    );
    expect(
      r.ok && [r.value.event_id, r.value.incident_id, r.value.zone_id, r.value.zone_name],
    ).toEqual(['e-2', 'Inc-42', 'Z09', 'Market Square']);
  });

  it('accepts a report without coordinates and tidies the description', () => {
    const r = normalizeIncident(
      raw({ latitude: null, longitude: null, description: '   ' }),
      dir,
      NOW,
    );
    expect(r.ok && [r.value.latitude, r.value.longitude, r.value.description]).toEqual([
      null,
      null,
      null,
    ]);
    const d = normalizeIncident(raw({ description: '  smoke  ' }), dir, NOW);
    expect(d.ok && d.value.description).toBe('smoke');
  });

  it('keeps every real type, severity and status as reported', () => {
    const r = normalizeIncident(
      raw({ incident_type: 'SIGNAL_FAILURE', severity: 'CRITICAL', status: 'RESOLVED' }),
      dir,
      NOW,
    );
    expect(r.ok && [r.value.incident_type, r.value.severity, r.value.status]).toEqual([
      'SIGNAL_FAILURE',
      'CRITICAL',
      'RESOLVED',
    ]);
  });

  const cases: [Partial<IncidentRaw>, IncidentRejectReason][] = [
    [{ event_id: '' }, 'missing_event_id'],
    [{ event_time: -5 }, 'invalid_event_time'],
    [{ event_time: NOW + 3_600_000 }, 'event_time_in_future'],
    [{ incident_id: ' ' }, 'missing_incident_id'],
    [{ zone_id: '' }, 'missing_zone_id'],
    [{ incident_type: 'UNKNOWN' }, 'unknown_incident_type'],
    [{ severity: 'UNKNOWN' }, 'unknown_severity'],
    [{ status: 'UNKNOWN' }, 'unknown_status'],
    [{ latitude: null }, 'invalid_coordinates'],
    [{ longitude: null }, 'invalid_coordinates'],
    [{ latitude: -91 }, 'invalid_coordinates'],
    [{ longitude: 200 }, 'invalid_coordinates'],
    [{ latitude: 0, longitude: 0 }, 'invalid_coordinates'],
    [{ zone_id: 'Z13' }, 'unknown_zone'],
  ];

  it.each(cases)('rejects %p as %s', (over, reason) => {
    const r = normalizeIncident(raw(over), dir, NOW);
    expect(!r.ok && r.reason).toBe(reason);
    expect(!r.ok && r.message.length).toBeGreaterThan(5);
  });

  it('has a case for every reject reason', () => {
    expect(new Set(cases.map(([, reason]) => reason))).toEqual(new Set(INCIDENT_REJECT_REASONS));
  });
});
