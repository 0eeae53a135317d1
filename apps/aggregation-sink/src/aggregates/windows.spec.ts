import type {
  IncidentZoneAggregate15m,
  MobilityIndex5m,
  TicketCountsByPriority1m,
  TrafficZoneAggregate5m,
  TransportLineAggregate10m,
} from '@citypulse/contracts';
import { sampleIncidentsUpdate, sampleTicketsUpdate, sampleTransportUpdate } from './samples';
import { INCIDENTS, MOBILITY, TICKETS, TRAFFIC, TRANSPORT } from './specs';
import { InvalidAggregateError, MAX_TEXT_CHARS, toTrafficWindow, toWindow } from './windows';

const W = 1_700_000_100_000;
const traffic = (over: Partial<TrafficZoneAggregate5m> = {}): TrafficZoneAggregate5m => ({
  event_id: `Z01|${W}|${W + 1000}`,
  event_time: W + 300_000,
  window_start: W,
  window_end: W + 300_000,
  zone_id: 'Z01',
  zone_name: 'Old Town',
  avg_speed_kmh: 31.5,
  min_speed_kmh: 4,
  max_speed_kmh: 55,
  total_vehicle_flow: 420,
  avg_occupancy_pct: 37.5,
  congestion_score: 41,
  readings: 60,
  updated_at: W + 1000,
  ...over,
});

describe('toWindow(TRAFFIC)', () => {
  it('maps the Avro record, keyed like the Kafka key, times as Dates', () => {
    const w = toWindow(TRAFFIC, traffic());
    expect(w).toMatchObject({
      key: `Z01|${W}`,
      updatedAt: new Date(W + 1000),
      fields: {
        zone_id: 'Z01',
        window_start: new Date(W),
        window_end: new Date(W + 300_000),
        total_vehicle_flow: 420,
        updated_at: new Date(W + 1000),
        event_id: `Z01|${W}|${W + 1000}`,
      },
    });
    // event_time is window_end: not stored
    expect(w.fields).not.toHaveProperty('event_time');
    expect(toTrafficWindow(traffic())).toEqual(w);
  });

  it('refuses impossible records, naming every problem', () => {
    const bad = traffic({ window_end: W, avg_speed_kmh: Number.NaN, readings: -1, zone_id: ' ' });
    expect(() => toWindow(TRAFFIC, bad)).toThrow(InvalidAggregateError);
    expect(() => toWindow(TRAFFIC, bad)).toThrow(
      /window_end is not after window_start; zone_id is empty; avg_speed_kmh NaN .*; readings -1/,
    );
    expect(() => toWindow(TRAFFIC, traffic({ min_speed_kmh: 60 }))).toThrow(
      /min_speed_kmh is above/,
    );
    expect(() => toWindow(TRAFFIC, traffic({ updated_at: 0 }))).toThrow(/updated_at 0/);
  });

  it('refuses text longer than MAX_TEXT_CHARS (a key that long would break the primary-key index)', () => {
    expect(toWindow(TRAFFIC, traffic({ zone_name: 'n'.repeat(MAX_TEXT_CHARS) })).key).toBe(
      `Z01|${W}`,
    );
    expect(() => toWindow(TRAFFIC, traffic({ zone_id: 'Z'.repeat(10_000) }))).toThrow(
      `zone_id is 10000 characters long, more than ${MAX_TEXT_CHARS}`,
    );
    // the reason stays short enough for the DLQ header: the id is cut, the problems are not
    expect(() => toWindow(TRAFFIC, traffic({ event_id: 'e'.repeat(10_000) }))).toThrow(
      `${TRAFFIC.name} aggregate ${'e'.repeat(64)}…: event_id is 10000 characters long, more than ${MAX_TEXT_CHARS}`,
    );
  });

  it('refuses what PostgreSQL would refuse on every retry: NUL in text, a time past what a Date holds', () => {
    expect(() => toWindow(TRAFFIC, traffic({ zone_name: 'Old\u0000Town' }))).toThrow(
      'zone_name contains a NUL character',
    );
    expect(() => toWindow(TRAFFIC, traffic({ zone_id: 'Z01\u0000' }))).toThrow(
      'zone_id contains a NUL character',
    );
    expect(() => toWindow(TRAFFIC, traffic({ updated_at: 8.64e15 + 1 }))).toThrow(
      /updated_at 8640000000000001 is not a positive epoch millis a date can hold/,
    );
    expect(toWindow(TRAFFIC, traffic({ updated_at: 8.64e15 })).updatedAt.getTime()).toBe(8.64e15);
  });

  it('refuses a window of another length than the contract says', () => {
    expect(() => toWindow(TRAFFIC, traffic({ window_end: W + 60_000 }))).toThrow(
      /the window lasts 60000 ms, not the contract's 300000 ms/,
    );
  });

  it('refuses a count that is not whole', () => {
    expect(() => toWindow(TRAFFIC, traffic({ readings: 1.5 }))).toThrow(/readings 1.5 is not/);
  });
});

describe('toWindow(MOBILITY)', () => {
  const mobility: MobilityIndex5m = {
    event_id: `${W}|${W + 1000}`,
    event_time: W + 300_000,
    window_start: W,
    window_end: W + 300_000,
    avg_speed_kmh: 40,
    avg_occupancy_pct: 30,
    mobility_index: 76,
    category: 'GOOD',
    zones: 12,
    readings: 700,
    updated_at: W + 1000,
  };

  it('maps the Avro record, keyed by window start', () => {
    expect(toWindow(MOBILITY, mobility)).toMatchObject({
      key: String(W),
      fields: { mobility_index: 76, category: 'GOOD', zones: 12 },
    });
  });

  it('refuses a non-finite index', () => {
    expect(() => toWindow(MOBILITY, { ...mobility, mobility_index: Infinity })).toThrow(
      /mobility_index Infinity is not finite/,
    );
  });

  it('refuses a category the contract does not have', () => {
    const odd = { ...mobility, category: 'SUPERB' } as unknown as MobilityIndex5m;
    expect(() => toWindow(MOBILITY, odd)).toThrow(/category SUPERB is not one of UNKNOWN, /);
  });
});

describe('toWindow(TRANSPORT)', () => {
  const t0 = Date.UTC(2026, 0, 5, 8, 0, 0);
  const transport = (over: Partial<TransportLineAggregate10m> = {}): TransportLineAggregate10m => ({
    ...sampleTransportUpdate(1, 0, 2, t0),
    ...over,
  });

  it('maps the record, keyed line_id|window_start, the 10-minute window as Dates', () => {
    expect(toWindow(TRANSPORT, transport())).toMatchObject({
      key: `L1|${t0}`,
      updatedAt: new Date(t0 + 600_000 + 2_000),
      fields: {
        line_id: 'L1',
        line_name: 'Line 1',
        window_start: new Date(t0),
        window_end: new Date(t0 + 600_000),
        active_vehicles: 4,
        crowded_vehicles: 2,
        event_id: `L1|${t0}|${t0 + 602_000}`,
      },
    });
  });

  it('takes a negative delay (vehicles ahead of their timetable)', () => {
    expect(toWindow(TRANSPORT, transport({ avg_delay_seconds: -42.5 })).fields).toMatchObject({
      avg_delay_seconds: -42.5,
    });
  });

  it.each<[Partial<TransportLineAggregate10m>, RegExp]>([
    [{ line_id: '' }, /line_id is empty/],
    [{ window_end: t0 + 300_000 }, /the window lasts 300000 ms, not the contract's 600000 ms/],
    [{ punctuality_score: 100.5 }, /punctuality_score 100.5 is not a percentage 0-100/],
    [{ punctuality_score: -1 }, /punctuality_score -1 is not a percentage/],
    [{ avg_delay_seconds: Number.NaN }, /avg_delay_seconds NaN is not finite/],
    [{ total_passengers: -3 }, /total_passengers -3 is not a count/],
    [{ crowded_vehicles: 5 }, /crowded_vehicles is above active_vehicles/],
    [{ active_vehicles: 21, crowded_vehicles: 0 }, /active_vehicles is above readings/],
  ])('refuses %j', (over, problem) => {
    expect(() => toWindow(TRANSPORT, transport(over))).toThrow(InvalidAggregateError);
    expect(() => toWindow(TRANSPORT, transport(over))).toThrow(problem);
  });
});

describe('toWindow(INCIDENTS)', () => {
  const t0 = Date.UTC(2026, 0, 5, 8, 0, 0);
  const incidents = (over: Partial<IncidentZoneAggregate15m> = {}): IncidentZoneAggregate15m => ({
    ...sampleIncidentsUpdate(3, 'HIGH', 0, 1, t0),
    ...over,
  });

  it('maps the record, keyed zone_id|severity|window_start', () => {
    const w = toWindow(INCIDENTS, incidents());
    expect(w.key).toBe(`Z03|HIGH|${t0}`);
    expect(w.fields).toMatchObject({
      zone_id: 'Z03',
      severity: 'HIGH',
      incident_count: 1,
      alert_level: 'YELLOW',
      window_end: new Date(t0 + 900_000),
    });
  });

  it.each<[Partial<IncidentZoneAggregate15m>, RegExp]>([
    [{ zone_id: '  ' }, /zone_id is empty/],
    [{ incident_count: -1 }, /incident_count -1 is not a count/],
    [{ severity: 'SEVERE' as never }, /severity SEVERE is not one of UNKNOWN, LOW, /],
    [{ alert_level: 'PURPLE' as never }, /alert_level PURPLE is not one of /],
    [{ window_end: t0 + 1_800_000 }, /not the contract's 900000 ms/],
  ])('refuses %j', (over, problem) => {
    expect(() => toWindow(INCIDENTS, incidents(over))).toThrow(problem);
  });
});

describe('toWindow(TICKETS)', () => {
  const t0 = Date.UTC(2026, 0, 5, 8, 0, 0);
  const tickets = (over: Partial<TicketCountsByPriority1m> = {}): TicketCountsByPriority1m => ({
    ...sampleTicketsUpdate('URGENT', 2, 3, t0),
    ...over,
  });

  it('maps the record, keyed priority|window_start, 1-minute windows', () => {
    const w = toWindow(TICKETS, tickets());
    expect(w.key).toBe(`URGENT|${t0 + 120_000}`);
    expect(w.fields).toMatchObject({
      priority: 'URGENT',
      ticket_count: 15,
      window_start: new Date(t0 + 120_000),
      window_end: new Date(t0 + 180_000),
    });
  });

  it.each<[Partial<TicketCountsByPriority1m>, RegExp]>([
    [{ ticket_count: -2 }, /ticket_count -2 is not a count/],
    [{ ticket_count: 2.5 }, /ticket_count 2.5 is not a count/],
    [{ priority: 'ASAP' as never }, /priority ASAP is not one of/],
    [{ window_start: -60_000, window_end: 0 }, /window_start -60000 is not a positive epoch/],
  ])('refuses %j', (over, problem) => {
    expect(() => toWindow(TICKETS, tickets(over))).toThrow(problem);
  });

  it('names the aggregate and the update in the reason the DLQ carries', () => {
    const bad = tickets({ ticket_count: -2 });
    expect(() => toWindow(TICKETS, bad)).toThrow(`tickets_priority_1m aggregate ${bad.event_id}: `);
  });
});
