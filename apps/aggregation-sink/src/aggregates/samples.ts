import {
  keyFor,
  type IncidentZoneAggregate15m,
  type MobilityIndex5m,
  type Severity,
  type TicketCountsByPriority1m,
  type TicketPriority,
  type TrafficZoneAggregate5m,
  type TransportLineAggregate10m,
  type ValueOf,
} from '@citypulse/contracts';
import type { AggregateStream } from './aggregate-spec';
import { INCIDENTS, TICKETS, TRANSPORT } from './specs';

/**
 * Made-up aggregate updates for the sink's tests and its benchmark (bench/sink-scaling.bench.js):
 * deterministic, window-aligned, and with figures that grow with the version, as a window's do
 * while readings arrive, so a reader can tell which version a store kept.
 */
export const SAMPLE_WINDOW_MS = 300_000;
/** A fixed, window-aligned start so runs are reproducible (aligned to every window length). */
export const SAMPLE_T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/** The update of one zone's window at version `v` (1, 2, 3, ...), windows counted from `t0`. */
export function sampleTrafficUpdate(
  zone: number,
  window: number,
  v: number,
  t0 = SAMPLE_T0,
): TrafficZoneAggregate5m {
  const zoneId = `Z${String(zone).padStart(2, '0')}`;
  const windowStart = t0 + window * SAMPLE_WINDOW_MS;
  const updatedAt = windowStart + SAMPLE_WINDOW_MS + v * 1_000;
  return {
    event_id: `${zoneId}|${windowStart}|${updatedAt}`,
    event_time: windowStart + SAMPLE_WINDOW_MS,
    window_start: windowStart,
    window_end: windowStart + SAMPLE_WINDOW_MS,
    zone_id: zoneId,
    zone_name: `Zone ${zone}`,
    avg_speed_kmh: 30 + zone + v / 10,
    min_speed_kmh: 5 + v,
    max_speed_kmh: 60 + v,
    total_vehicle_flow: 100 * v + zone,
    avg_occupancy_pct: 20 + v,
    congestion_score: 10 * v,
    readings: 10 * v,
    updated_at: updatedAt,
  };
}

export function sampleMobilityUpdate(window: number, v: number, t0 = SAMPLE_T0): MobilityIndex5m {
  const windowStart = t0 + window * SAMPLE_WINDOW_MS;
  const updatedAt = windowStart + SAMPLE_WINDOW_MS + v * 1_000;
  return {
    event_id: `${windowStart}|${updatedAt}`,
    event_time: windowStart + SAMPLE_WINDOW_MS,
    window_start: windowStart,
    window_end: windowStart + SAMPLE_WINDOW_MS,
    avg_speed_kmh: 40 + v,
    avg_occupancy_pct: 30,
    mobility_index: 60 + v,
    category: 'GOOD',
    zones: 12,
    readings: 100 * v,
    updated_at: updatedAt,
  };
}

/** The times of window `window` of a `windowMs` aggregate at version `v`. */
function times(window: number, windowMs: number, v: number, t0: number) {
  const windowStart = t0 + window * windowMs;
  const windowEnd = windowStart + windowMs;
  return {
    event_time: windowEnd,
    window_start: windowStart,
    window_end: windowEnd,
    updated_at: windowEnd + v * 1_000,
  };
}

/** The update of one line's window at version `v`: readings 10·v, passengers 50·v + line. */
export function sampleTransportUpdate(
  line: number,
  window: number,
  v: number,
  t0 = SAMPLE_T0,
): TransportLineAggregate10m {
  const active = 2 + v;
  return withEventId('transportByLine10m', {
    event_id: '',
    ...times(window, TRANSPORT.windowMs, v, t0),
    line_id: `L${line}`,
    line_name: `Line ${line}`,
    avg_delay_seconds: 30 - 10 * v, // early vehicles make it negative from version 4
    avg_occupancy_pct: 40 + v,
    active_vehicles: active,
    total_passengers: 50 * v + line,
    punctuality_score: Math.min(100, 80 + v),
    crowded_vehicles: Math.min(v, active),
    readings: 10 * v,
  });
}

/** The update of one zone's and severity's window at version `v`: v incidents. */
export function sampleIncidentsUpdate(
  zone: number,
  severity: Severity,
  window: number,
  v: number,
  t0 = SAMPLE_T0,
): IncidentZoneAggregate15m {
  return withEventId('incidentsByZone15m', {
    event_id: '',
    ...times(window, INCIDENTS.windowMs, v, t0),
    zone_id: `Z${String(zone).padStart(2, '0')}`,
    zone_name: `Zone ${zone}`,
    severity,
    incident_count: v,
    alert_level: v >= 3 ? 'ORANGE' : 'YELLOW',
  });
}

/** The update of one priority's window at version `v`: 5·v tickets. */
export function sampleTicketsUpdate(
  priority: TicketPriority,
  window: number,
  v: number,
  t0 = SAMPLE_T0,
): TicketCountsByPriority1m {
  return withEventId('ticketsByPriority1m', {
    event_id: '',
    ...times(window, TICKETS.windowMs, v, t0),
    priority,
    ticket_count: 5 * v,
  });
}

/** Sets event_id as the contract says: the record key and updated_at joined by '|'. */
function withEventId<S extends AggregateStream>(stream: S, value: ValueOf<S>): ValueOf<S> {
  return { ...value, event_id: `${keyFor(stream, value)}|${value.updated_at}` };
}
