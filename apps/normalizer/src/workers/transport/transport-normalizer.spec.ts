import type { TransportVehicleStatusRaw, VehicleType } from '@citypulse/contracts';
import { CityDirectory } from '../../testing/directory';
import {
  normalizeTransport,
  TRANSPORT_REJECT_REASONS,
  vehicleTypeOfMode,
  type TransportRejectReason,
} from './transport-normalizer';

const NOW = Date.UTC(2024, 0, 8, 8);
const dir = new CityDirectory();

/** A tram of line L2 (tram, 250 passengers per vehicle in city.json). */
function raw(over: Partial<TransportVehicleStatusRaw> = {}): TransportVehicleStatusRaw {
  return {
    event_id: 'e-1',
    event_time: NOW - 30_000,
    vehicle_id: 'L2-V03',
    line_id: 'L2',
    vehicle_type: 'TRAM',
    latitude: 52.52,
    longitude: 13.405,
    delay_seconds: 120,
    passenger_count: 125,
    next_stop_id: 'S-17',
    source: 'sensor-generator',
    ...over,
  };
}

describe('normalizeTransport', () => {
  it('enriches a valid status with its line: name, capacity, occupancy, punctuality', () => {
    expect(normalizeTransport(raw(), dir, NOW)).toEqual({
      ok: true,
      value: {
        event_id: 'e-1',
        event_time: NOW - 30_000,
        vehicle_id: 'L2-V03',
        line_id: 'L2',
        line_name: 'Line 2 University - Stadium',
        vehicle_type: 'TRAM',
        zone_id: null,
        latitude: 52.52,
        longitude: 13.405,
        delay_seconds: 120,
        on_time: true,
        passenger_count: 125,
        capacity: 250,
        occupancy_pct: 50,
        source: 'sensor-generator',
        ingested_at: NOW,
      },
    });
  });

  it('canonicalizes ids: trimmed, upper case', () => {
    const r = normalizeTransport(
      raw({
        event_id: ' e-9 ',
        vehicle_id: ' b10-v01\t',
        line_id: ' b10 ',
        vehicle_type: 'BUS',
        passenger_count: 45,
      }),
      dir,
      NOW,
    );
    expect(r.ok && [r.value.event_id, r.value.vehicle_id, r.value.line_id]).toEqual([
      'e-9',
      'B10-V01',
      'B10',
    ]);
    expect(r.ok && r.value.line_name).toBe('Bus 10 Riverside - Tech Park');
  });

  it('computes occupancy from the line vehicle capacity, without rounding', () => {
    const pct = (line_id: string, passenger_count: number, vehicle_type: VehicleType = 'BUS') => {
      const r = normalizeTransport(raw({ line_id, passenger_count, vehicle_type }), dir, NOW);
      return r.ok ? [r.value.capacity, r.value.occupancy_pct] : r.reason;
    };
    expect(pct('B10', 0)).toEqual([90, 0]);
    expect(pct('B10', 90)).toEqual([90, 100]);
    expect(pct('B33', 100)).toEqual([120, (100 / 120) * 100]);
    expect(pct('L1', 450, 'METRO')).toEqual([900, 50]);
  });

  it('is on time from 1 min early to 5 min late', () => {
    const onTime = (delay_seconds: number) => {
      const r = normalizeTransport(raw({ delay_seconds }), dir, NOW);
      return r.ok && r.value.on_time;
    };
    expect([-61, -60, 0, 300, 301].map(onTime)).toEqual([false, true, true, true, false]);
  });

  it("reads a status without a vehicle type as the type the line's mode runs", () => {
    const tram = normalizeTransport(raw({ vehicle_type: 'UNKNOWN' }), dir, NOW);
    const metro = normalizeTransport(
      raw({ line_id: 'L1', vehicle_type: 'UNKNOWN', passenger_count: 10 }),
      dir,
      NOW,
    );
    expect(tram.ok && tram.value.vehicle_type).toBe('TRAM');
    expect(metro.ok && metro.value.vehicle_type).toBe('METRO');
  });

  it('accepts the edges of every range', () => {
    for (const over of [
      { delay_seconds: -3_600 },
      { delay_seconds: 4 * 3_600 },
      { passenger_count: 0 },
      { passenger_count: 250 },
      { latitude: -90, longitude: -180 },
      { latitude: 90, longitude: 180 },
      { latitude: 0, longitude: 13.4 },
      { event_time: NOW + 5 * 60_000 },
    ]) {
      expect([over, normalizeTransport(raw(over), dir, NOW).ok]).toEqual([over, true]);
    }
  });

  const cases: [Partial<TransportVehicleStatusRaw>, TransportRejectReason][] = [
    [{ event_id: ' ' }, 'missing_event_id'],
    [{ event_time: 0 }, 'invalid_event_time'],
    [{ event_time: NOW + 5 * 60_000 + 1 }, 'event_time_in_future'],
    [{ vehicle_id: '  ' }, 'missing_vehicle_id'],
    [{ line_id: '' }, 'missing_line_id'],
    [{ latitude: 90.5 }, 'invalid_coordinates'],
    [{ longitude: -180.01 }, 'invalid_coordinates'],
    [{ latitude: Number.NaN }, 'invalid_coordinates'],
    [{ longitude: Number.POSITIVE_INFINITY }, 'invalid_coordinates'],
    [{ latitude: 0, longitude: 0 }, 'invalid_coordinates'],
    [{ delay_seconds: -3_601 }, 'delay_out_of_range'],
    [{ delay_seconds: 4 * 3_600 + 1 }, 'delay_out_of_range'],
    [{ delay_seconds: 1.5 }, 'delay_out_of_range'],
    [{ passenger_count: -1 }, 'passenger_count_out_of_range'],
    [{ passenger_count: 251 }, 'passenger_count_out_of_range'],
    [{ line_id: 'B99' }, 'unknown_line'],
    [{ vehicle_type: 'BUS' }, 'vehicle_type_mismatch'],
    [{ line_id: 'L1', vehicle_type: 'FERRY' }, 'vehicle_type_mismatch'],
  ];

  it.each(cases)('rejects %p as %s', (over, reason) => {
    const r = normalizeTransport(raw(over), dir, NOW);
    expect(!r.ok && r.reason).toBe(reason);
    expect(!r.ok && r.message.length).toBeGreaterThan(5);
  });

  it('has a case for every reject reason', () => {
    expect(new Set(cases.map(([, reason]) => reason))).toEqual(new Set(TRANSPORT_REJECT_REASONS));
  });

  it('rejects every type on a line whose mode runs no known vehicle type', () => {
    const d = new CityDirectory();
    d.lines.get('L2')!.mode = 'cable car';
    for (const vehicle_type of ['UNKNOWN', 'TRAM'] as const) {
      const r = normalizeTransport(raw({ vehicle_type }), d, NOW);
      expect(!r.ok && r.reason).toBe('vehicle_type_mismatch');
    }
  });

  it('maps the modes PostgreSQL stores to vehicle types', () => {
    expect(
      ['bus', 'tram', 'metro', ' Ferry ', 'unknown', 'cable car'].map(vehicleTypeOfMode),
    ).toEqual(['BUS', 'TRAM', 'METRO', 'FERRY', undefined, undefined]);
  });
});
