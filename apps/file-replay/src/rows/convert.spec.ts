import { contractOf } from '@citypulse/contracts';
import { recordConverter, timestampMillis } from './convert';
import { RowError } from './row-error';

const incidents = recordConverter(contractOf('incidentsRaw').schema);
const csv = { emptyIsNull: true };
const json = { emptyIsNull: false };

const row = {
  event_id: 'e-1',
  event_time: '2024-06-10T08:00:00Z',
  incident_id: 'INC-Z01-2024061008-1',
  zone_id: 'Z01',
  incident_type: 'ACCIDENT',
  severity: 'HIGH',
  status: 'REPORTED',
  latitude: '50.1',
  longitude: '8.6',
  description: 'Crash, two cars',
  source: 'file',
};
const T = Date.UTC(2024, 5, 10, 8);

describe('recordConverter', () => {
  it('lists the fields in schema order and the ones with a default', () => {
    expect(incidents.fields[0]).toBe('event_id');
    expect([...incidents.optional]).toEqual(['latitude', 'longitude', 'description', 'source']);
  });

  it('turns CSV text into the contract`s types', () => {
    expect(incidents.convert(row, csv)).toEqual({
      ...row,
      event_time: T,
      latitude: 50.1,
      longitude: 8.6,
    });
  });

  it('reads an empty CSV cell of a nullable field as null, and gives a missing field its default', () => {
    const { source: _source, ...noSource } = row;
    const v = incidents.convert({ ...noSource, latitude: '', longitude: '', description: '' }, csv);
    expect(v).toMatchObject({
      latitude: null,
      longitude: null,
      description: null,
      source: 'unknown',
    });
  });

  it('keeps JSON values as they are; an empty string is not null in JSON', () => {
    const v = incidents.convert({ ...row, event_time: T, latitude: null, description: '' }, json);
    expect(v).toMatchObject({ event_time: T, latitude: null, description: '' });
  });

  it.each([
    [{ event_time: 'soon' }, /event_time: expected epoch millis or an ISO-8601/],
    [{ severity: 'SEVERE' }, /severity: expected one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL/],
    [{ latitude: 'north' }, /latitude: expected a number, got "north"/],
    [{ incident_id: undefined }, /incident_id: missing/],
    [{ colour: 'red' }, /colour: not a field of the contract/],
  ])('refuses %j', (change, why) => {
    const bad = { ...row, ...change } as Record<string, unknown>;
    if ('incident_id' in change) delete bad.incident_id;
    expect(() => incidents.convert(bad, csv)).toThrow(RowError);
    expect(() => incidents.convert(bad, csv)).toThrow(why);
  });

  it('reads integers strictly and decimals with NaN and Infinity (as the dumps write them)', () => {
    const transport = recordConverter(contractOf('transportRaw').schema);
    const base = {
      event_id: 'e',
      event_time: '1718006400000',
      vehicle_id: 'L1-V01',
      line_id: 'L1',
      vehicle_type: 'METRO',
      latitude: 'NaN',
      longitude: '-8.5e0',
      delay_seconds: '-30',
      passenger_count: '12',
      next_stop_id: '',
    };
    expect(transport.convert(base, csv)).toMatchObject({
      event_time: 1718006400000,
      latitude: Number.NaN,
      longitude: -8.5,
      delay_seconds: -30,
      passenger_count: 12,
      next_stop_id: null,
    });
    expect(() => transport.convert({ ...base, passenger_count: '12.5' }, csv)).toThrow(
      /passenger_count: expected an integer, got "12.5"/,
    );
  });

  it('converts booleans and follows named types', () => {
    const c = recordConverter({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'on', type: 'boolean' },
        { name: 'a', type: { type: 'enum', name: 'E', symbols: ['X', 'Y'] } },
        { name: 'b', type: ['null', 'E'], default: null },
      ],
    });
    expect(c.convert({ on: 'TRUE', a: 'X', b: 'Y' }, csv)).toEqual({ on: true, a: 'X', b: 'Y' });
    expect(c.convert({ on: '0', a: 'Y', b: '' }, csv)).toEqual({ on: false, a: 'Y', b: null });
    expect(() => c.convert({ on: 'yes', a: 'X' }, csv)).toThrow(/on: expected true or false/);
    expect(() => c.convert({ on: 'true', a: 'X', b: 'Z' }, csv)).toThrow(/b: expected one of X, Y/);
  });
});

describe('timestampMillis', () => {
  it('accepts epoch millis and ISO-8601 with a zone or as a date', () => {
    expect(timestampMillis('1718006400000', 'f')).toBe(1718006400000);
    expect(timestampMillis(1718006400000, 'f')).toBe(1718006400000);
    expect(timestampMillis('2024-06-10T08:00:00.250Z', 'f')).toBe(T + 250);
    expect(timestampMillis('2024-06-10T10:00:00+02:00', 'f')).toBe(T);
    expect(timestampMillis('2024-06-10T10:00+0200', 'f')).toBe(T);
    expect(timestampMillis('2024-06-10', 'f')).toBe(Date.UTC(2024, 5, 10));
  });

  it('refuses a date-time without a zone (it would be read in local time) and other text', () => {
    for (const s of ['2024-06-10T08:00:00', '10/06/2024', '2024-13-45T99:00:00Z', '']) {
      expect(() => timestampMillis(s, 'event_time')).toThrow(/^event_time: expected epoch millis/);
    }
  });
});
