/**
 * The expected outcome of the transport, incidents and tickets flows, computed from the generated
 * records alone — independently of the normalizer's and the Spark job's code: the workers' rules
 * of apps/normalizer/README.md and the window formulas of spark/README.md (transforms.py's
 * docstring), restated in plain TypeScript.
 */
import type { CityDefinition } from '@citypulse/postgres';
import type { ExpectedWindow, SentRecord, Timed, Verdict } from './harness';

const FUTURE_TOLERANCE_MS = 5 * 60_000;
const canon = (id: string | null | undefined) => (id ?? '').trim().toUpperCase();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * What every worker does before its own rules: non-Avro bytes are rejected, an event id seen in
 * an accepted record is a duplicate (a rejected one is judged again), the envelope is checked.
 */
abstract class WorkerModel<V extends { event_id: string; event_time: number }, A extends Timed> {
  private readonly seen = new Set<string>();

  constructor(protected readonly now: number) {}

  judge(r: SentRecord): Verdict<A> {
    if (r.kind === 'bytes') return { kind: 'rejected', reason: 'not avro' };
    const v = r.value as V;
    const id = v.event_id.trim();
    if (!id) return { kind: 'rejected', reason: 'missing_event_id' };
    if (this.seen.has(id)) return { kind: 'duplicate' };
    const out = this.normalize(v, id);
    if (typeof out === 'string') return { kind: 'rejected', reason: out };
    this.seen.add(id);
    return { kind: 'accepted', reading: out };
  }

  /** The envelope's time rule: a positive epoch-ms integer, at most 5 minutes ahead of now. */
  protected badTime(t: number): string | undefined {
    if (!Number.isSafeInteger(t) || t <= 0) return 'invalid_event_time';
    if (t > this.now + FUTURE_TOLERANCE_MS) return 'event_time_in_future';
    return undefined;
  }

  /** The accepted record, or the reason it is rejected. */
  protected abstract normalize(v: V, eventId: string): A | string;
}

/** A WGS84 fix: finite, in range, and not (0, 0). */
function badFix(lat: number, lon: number): boolean {
  return (
    !(Number.isFinite(lat) && lat >= -90 && lat <= 90) ||
    !(Number.isFinite(lon) && lon >= -180 && lon <= 180) ||
    (lat === 0 && lon === 0)
  );
}

/** The reason of the first enum field (in order) whose value is UNKNOWN: no real symbol. */
function unknownSymbol<V extends object>(
  v: V,
  reasons: Partial<Record<keyof V, string>>,
): string | undefined {
  const found = Object.entries(reasons).find(
    ([f]) => (v as Record<string, unknown>)[f] === 'UNKNOWN',
  );
  return found?.[1] as string | undefined;
}

// --- transport --------------------------------------------------------------------------------

interface RawStatus {
  event_id: string;
  event_time: number;
  vehicle_id: string;
  line_id: string;
  vehicle_type: string;
  latitude: number;
  longitude: number;
  delay_seconds: number;
  passenger_count: number;
}

export interface Status extends Timed {
  vehicleId: string;
  lineId: string;
  lineName: string;
  delaySeconds: number;
  passengerCount: number;
  occupancyPct: number;
}

/** The transport worker's rules, re-stated. */
export class TransportModel extends WorkerModel<RawStatus, Status> {
  private readonly lines: Map<string, { name: string; mode: string; capacity: number }>;

  constructor(city: CityDefinition, now: number) {
    super(now);
    this.lines = new Map(
      city.lines.map((l) => [
        canon(l.id),
        { name: l.name, mode: l.mode.toUpperCase(), capacity: l.vehicle_capacity },
      ]),
    );
  }

  protected normalize(v: RawStatus, eventId: string): Status | string {
    const vehicleId = canon(v.vehicle_id);
    const lineId = canon(v.line_id);
    if (!vehicleId) return 'missing_vehicle_id';
    if (!lineId) return 'missing_line_id';
    const time = this.badTime(v.event_time);
    if (time) return time;
    if (badFix(v.latitude, v.longitude)) return 'invalid_coordinates';
    const d = v.delay_seconds;
    if (!Number.isInteger(d) || d < -3_600 || d > 14_400) return 'delay_out_of_range';
    const n = v.passenger_count;
    if (!Number.isInteger(n) || n < 0) return 'passenger_count_out_of_range';
    const line = this.lines.get(lineId);
    if (!line) return 'unknown_line';
    if (v.vehicle_type !== 'UNKNOWN' && v.vehicle_type !== line.mode)
      return 'vehicle_type_mismatch';
    if (n > line.capacity) return 'passenger_count_out_of_range';
    return {
      eventId,
      eventTime: v.event_time,
      key: vehicleId,
      vehicleId,
      lineId,
      lineName: line.name,
      delaySeconds: d,
      passengerCount: n,
      occupancyPct: (n / line.capacity) * 100,
    };
  }
}

/**
 * Tumbling windows of `ms`, aligned to the epoch, per series (`keyOf`): each one's figures from
 * its rows (`figures`).
 */
function windowsOf<T extends Timed>(
  rows: readonly T[],
  ms: number,
  keyOf: (r: T) => Record<string, string>,
  figures: (rows: T[], keys: Record<string, string>) => Pick<ExpectedWindow, 'exact' | 'floats'>,
): ExpectedWindow[] {
  const groups = new Map<string, { keys: Record<string, string>; start: number; rows: T[] }>();
  for (const r of rows) {
    const keys = keyOf(r);
    const start = Math.floor(r.eventTime / ms) * ms;
    const k = JSON.stringify([keys, start]);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { keys, start, rows: [] }));
    g.rows.push(r);
  }
  return [...groups.values()].map((g) => ({
    keys: g.keys,
    windowStart: g.start,
    windowEnd: g.start + ms,
    ...figures(g.rows, g.keys),
  }));
}

/**
 * Per line and 10-minute window: mean delay and occupancy; distinct vehicles; the sum of each
 * vehicle's latest passenger count (latest event time, on a tie the larger count); 100 x the
 * share of reports within 120 s of the timetable either way; distinct vehicles with a report
 * above 90 % occupancy; reports.
 */
export function transportWindows(statuses: readonly Status[]): ExpectedWindow[] {
  return windowsOf(
    statuses,
    10 * 60_000,
    (s) => ({ line_id: s.lineId }),
    (rows) => {
      const latest = new Map<string, Status>();
      for (const s of rows) {
        const l = latest.get(s.vehicleId);
        if (
          !l ||
          s.eventTime > l.eventTime ||
          (s.eventTime === l.eventTime && s.passengerCount > l.passengerCount)
        )
          latest.set(s.vehicleId, s);
      }
      const punctual = rows.filter((s) => Math.abs(s.delaySeconds) <= 120).length;
      const crowded = new Set(rows.filter((s) => s.occupancyPct > 90).map((s) => s.vehicleId));
      return {
        exact: {
          line_name: rows[0].lineName,
          active_vehicles: latest.size,
          total_passengers: [...latest.values()].reduce((n, s) => n + s.passengerCount, 0),
          crowded_vehicles: crowded.size,
          readings: rows.length,
        },
        floats: {
          avg_delay_seconds: mean(rows.map((s) => s.delaySeconds)),
          avg_occupancy_pct: mean(rows.map((s) => s.occupancyPct)),
          punctuality_score: (100 * punctual) / rows.length,
        },
      };
    },
  );
}

// --- incidents --------------------------------------------------------------------------------

interface RawIncident {
  event_id: string;
  event_time: number;
  incident_id: string;
  zone_id: string;
  incident_type: string;
  severity: string;
  status: string;
  latitude: number | null;
  longitude: number | null;
}

export interface Report extends Timed {
  incidentId: string;
  zoneId: string;
  zoneName: string;
  severity: string;
}

/** The incidents worker's rules, re-stated. */
export class IncidentModel extends WorkerModel<RawIncident, Report> {
  private readonly zones: Map<string, string>;

  constructor(city: CityDefinition, now: number) {
    super(now);
    this.zones = new Map(city.zones.map((z) => [canon(z.id), z.name]));
  }

  protected normalize(v: RawIncident, eventId: string): Report | string {
    const incidentId = v.incident_id.trim(); // the reporter's id: its case is kept
    const zoneId = canon(v.zone_id);
    if (!incidentId) return 'missing_incident_id';
    if (!zoneId) return 'missing_zone_id';
    const bad =
      this.badTime(v.event_time) ??
      unknownSymbol(v, {
        incident_type: 'unknown_incident_type',
        severity: 'unknown_severity',
        status: 'unknown_status',
      });
    if (bad) return bad;
    const { latitude: lat, longitude: lon } = v;
    if (lat !== null || lon !== null) {
      if (lat === null || lon === null || badFix(lat, lon)) return 'invalid_coordinates';
    }
    const zoneName = this.zones.get(zoneId);
    if (zoneName === undefined) return 'unknown_zone';
    return {
      eventId,
      eventTime: v.event_time,
      key: incidentId,
      incidentId,
      zoneId,
      zoneName,
      severity: v.severity,
    };
  }
}

/** RED: CRITICAL, or HIGH x3+; ORANGE: HIGH, or MEDIUM x3+; YELLOW: any other incident. */
export function alertLevel(severity: string, incidents: number): string {
  if (incidents <= 0) return 'NONE';
  if (severity === 'CRITICAL' || (severity === 'HIGH' && incidents >= 3)) return 'RED';
  if (severity === 'HIGH' || (severity === 'MEDIUM' && incidents >= 3)) return 'ORANGE';
  return 'YELLOW';
}

/** Per zone, severity and 15-minute window: distinct incidents and the row's alert level. */
export function incidentWindows(reports: readonly Report[]): ExpectedWindow[] {
  const series = (r: Report) => ({ zone_id: r.zoneId, severity: r.severity });
  return windowsOf(reports, 15 * 60_000, series, (rows, keys) => {
    const incidents = new Set(rows.map((r) => r.incidentId)).size;
    return {
      exact: {
        zone_name: rows[0].zoneName,
        incident_count: incidents,
        alert_level: alertLevel(keys.severity, incidents),
      },
      floats: {},
    };
  });
}

// --- tickets ----------------------------------------------------------------------------------

interface RawTicket {
  event_id: string;
  event_time: number;
  ticket_id: string;
  priority: string;
  category: string;
  channel: string;
  zone_id: string | null;
}

export interface Ticket extends Timed {
  ticketId: string;
  priority: string;
}

/** The tickets worker's rules, re-stated. */
export class TicketModel extends WorkerModel<RawTicket, Ticket> {
  private readonly zones: Set<string>;

  constructor(city: CityDefinition, now: number) {
    super(now);
    this.zones = new Set(city.zones.map((z) => canon(z.id)));
  }

  protected normalize(v: RawTicket, eventId: string): Ticket | string {
    const ticketId = canon(v.ticket_id);
    if (!ticketId) return 'missing_ticket_id';
    const bad =
      this.badTime(v.event_time) ??
      unknownSymbol(v, {
        priority: 'unknown_priority',
        category: 'unknown_category',
        channel: 'unknown_channel',
      });
    if (bad) return bad;
    const zone = canon(v.zone_id); // blank or null: no zone
    if (zone && !this.zones.has(zone)) return 'unknown_zone';
    return { eventId, eventTime: v.event_time, key: ticketId, ticketId, priority: v.priority };
  }
}

/** Per priority and 1-minute window: distinct tickets. */
export function ticketWindows(tickets: readonly Ticket[]): ExpectedWindow[] {
  return windowsOf(
    tickets,
    60_000,
    (t) => ({ priority: t.priority }),
    (rows) => ({
      exact: { ticket_count: new Set(rows.map((t) => t.ticketId)).size },
      floats: {},
    }),
  );
}
