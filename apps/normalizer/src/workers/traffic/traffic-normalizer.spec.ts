import type { TrafficReadingRaw } from '@citypulse/contracts';
import { CityDirectory } from '../../testing/directory';
import { KMH_PER_MPH, normalizeTraffic } from './traffic-normalizer';

const NOW = Date.UTC(2024, 0, 8, 8);
const dir = new CityDirectory();

function raw(over: Partial<TrafficReadingRaw> = {}): TrafficReadingRaw {
  return {
    event_id: 'e-1',
    event_time: NOW - 60_000,
    sensor_id: 'Z01-S01',
    zone_id: 'Z01',
    speed: 27.5,
    speed_unit: 'KMH',
    vehicle_count: 12,
    occupancy_pct: 18.5,
    source: 'sensor-generator',
    ...over,
  };
}

describe('normalizeTraffic', () => {
  it('enriches a valid reading with its zone from the reference data', () => {
    const r = normalizeTraffic(raw(), dir, NOW);
    expect(r).toEqual({
      ok: true,
      value: {
        event_id: 'e-1',
        event_time: NOW - 60_000,
        sensor_id: 'Z01-S01',
        zone_id: 'Z01',
        zone_name: 'Old Town',
        speed_kmh: 27.5,
        vehicle_count: 12,
        occupancy_pct: 18.5,
        speed_limit_kmh: 30,
        capacity: 1800,
        original_speed_unit: 'KMH',
        source: 'sensor-generator',
        ingested_at: NOW,
      },
    });
  });

  it('converts mph to km/h', () => {
    const r = normalizeTraffic(
      raw({ sensor_id: 'Z01-S04', speed: 20, speed_unit: 'MPH' }),
      dir,
      NOW,
    );
    expect(r.ok && r.value.speed_kmh).toBeCloseTo(20 * KMH_PER_MPH, 10);
    expect(r.ok && r.value.original_speed_unit).toBe('MPH');
  });

  it('reads a speed without unit in the unit the sensor is registered with', () => {
    const mph = normalizeTraffic(
      raw({ sensor_id: 'Z01-S04', speed: 10, speed_unit: 'UNKNOWN' }),
      dir,
      NOW,
    );
    const kmh = normalizeTraffic(
      raw({ sensor_id: 'Z01-S01', speed: 10, speed_unit: 'UNKNOWN' }),
      dir,
      NOW,
    );
    expect(mph.ok && mph.value.speed_kmh).toBeCloseTo(16.09344, 5);
    expect(kmh.ok && kmh.value.speed_kmh).toBe(10);
  });

  it('canonicalizes ids: trimmed, upper case', () => {
    const r = normalizeTraffic(
      raw({ event_id: ' e-1 ', sensor_id: '  z01-s01\t', zone_id: ' z01 ' }),
      dir,
      NOW,
    );
    expect(r.ok && [r.value.event_id, r.value.sensor_id, r.value.zone_id]).toEqual([
      'e-1',
      'Z01-S01',
      'Z01',
    ]);
  });

  it.each([
    [{ speed: -5 }, 'speed_out_of_range'],
    [{ speed: 900 }, 'speed_out_of_range'],
    [{ speed: 251 }, 'speed_out_of_range'],
    [{ speed: 160, speed_unit: 'MPH' as const, sensor_id: 'Z01-S04' }, 'speed_out_of_range'],
    [{ speed: Number.NaN }, 'speed_out_of_range'],
    [{ speed: Number.POSITIVE_INFINITY }, 'speed_out_of_range'],
    [{ occupancy_pct: 150 }, 'occupancy_out_of_range'],
    [{ occupancy_pct: -0.1 }, 'occupancy_out_of_range'],
    [{ occupancy_pct: Number.NaN }, 'occupancy_out_of_range'],
    [{ vehicle_count: -3 }, 'vehicle_count_out_of_range'],
    [{ event_time: NOW + 5 * 60_000 + 1 }, 'event_time_in_future'],
    [{ event_time: 0 }, 'invalid_event_time'],
    [{ event_id: '  ' }, 'missing_event_id'],
    [{ sensor_id: '' }, 'missing_sensor_id'],
    [{ sensor_id: 'Z01-S99' }, 'unknown_sensor'],
    [{ sensor_id: 'Z99-S99', zone_id: 'Z99' }, 'unknown_zone'],
    [{ zone_id: 'Z02' }, 'zone_mismatch'],
    [{ zone_id: 'Z77' }, 'unknown_zone'],
  ])('rejects %p as %s', (over, reason) => {
    const r = normalizeTraffic(raw(over), dir, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(reason);
    expect(!r.ok && r.message.length).toBeGreaterThan(5);
  });

  it('accepts the edges of every range', () => {
    for (const over of [
      { speed: 0 },
      { speed: 250 },
      { occupancy_pct: 0 },
      { occupancy_pct: 100 },
      { vehicle_count: 0 },
      { event_time: NOW + 5 * 60_000 },
      { event_time: NOW - 30 * 86_400_000 },
    ]) {
      expect(normalizeTraffic(raw(over), dir, NOW).ok).toBe(true);
    }
  });

  it('rejects a reading of an inactive sensor', () => {
    const d = new CityDirectory();
    d.sensors.get('Z01-S01')!.active = false;
    const r = normalizeTraffic(raw(), d, NOW);
    expect(!r.ok && r.reason).toBe('inactive_sensor');
  });
});
