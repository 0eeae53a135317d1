import { defineAggregate, type AggregateSpec, type AggregateStream } from './aggregate-spec';

const MINUTE_MS = 60_000;

/**
 * Traffic per zone, 5-minute windows. Its table, collection and their indexes keep the names they
 * had before the one-name rule (readers use them); its route is `traffic`.
 */
export const TRAFFIC = defineAggregate({
  stream: 'trafficByZone5m',
  name: 'traffic',
  windowMs: 5 * MINUTE_MS,
  pathSegments: { zone_id: 'zones' },
  gauges: {
    avg_speed_kmh: 'city_zone_speed_kmh',
    congestion_score: 'city_zone_congestion_score',
    avg_occupancy_pct: 'city_zone_occupancy_pct',
  },
  checks: [
    (r) => (r.min_speed_kmh > r.max_speed_kmh ? 'min_speed_kmh is above max_speed_kmh' : undefined),
  ],
  legacy: {
    table: 'traffic_window_aggregates',
    collection: 'traffic_aggregations',
    mongoIndexes: [
      { name: 'zone_window_unique', key: { zone_id: 1, window_start: 1 }, unique: true },
      { name: 'window_start_desc', key: { window_start: -1 } },
    ],
  },
});

/** The city-wide mobility index, 5-minute windows; keyed by the window alone. */
export const MOBILITY = defineAggregate({
  stream: 'mobilityIndex5m',
  name: 'mobility',
  windowMs: 5 * MINUTE_MS,
  pathSegments: {},
  // checked for finiteness only, as before: the contract bounds the inputs, not the index
  signed: ['mobility_index'],
  gauges: { mobility_index: 'city_mobility_index', category: 'city_mobility_category' },
  legacy: {
    table: 'mobility_index',
    collection: 'mobility_index',
    mongoIndexes: [{ name: 'window_unique', key: { window_start: 1 }, unique: true }],
  },
});

/** Public transport per line, 10-minute windows. */
export const TRANSPORT = defineAggregate({
  stream: 'transportByLine10m',
  name: 'transport_line_10m',
  windowMs: 10 * MINUTE_MS,
  pathSegments: { line_id: 'lines' },
  // a vehicle ahead of its timetable has a negative delay
  signed: ['avg_delay_seconds'],
  percent: ['punctuality_score'],
  gauges: {
    punctuality_score: 'city_line_punctuality_score',
    avg_delay_seconds: 'city_line_delay_seconds',
    avg_occupancy_pct: 'city_line_occupancy_pct',
    crowded_vehicles: 'city_line_crowded_vehicles',
    active_vehicles: 'city_line_active_vehicles',
  },
  checks: [
    (r) =>
      r.crowded_vehicles > r.active_vehicles
        ? 'crowded_vehicles is above active_vehicles'
        : undefined,
    // every active vehicle reported at least once
    (r) => (r.active_vehicles > r.readings ? 'active_vehicles is above readings' : undefined),
  ],
});

/** Incidents per zone and severity, 15-minute windows, with an alert level. */
export const INCIDENTS = defineAggregate({
  stream: 'incidentsByZone15m',
  name: 'incidents_zone_15m',
  windowMs: 15 * MINUTE_MS,
  pathSegments: { zone_id: 'zones', severity: 'severities' },
  gauges: { incident_count: 'city_zone_incidents' },
});

/** Support tickets opened per priority, 1-minute windows. */
export const TICKETS = defineAggregate({
  stream: 'ticketsByPriority1m',
  name: 'tickets_priority_1m',
  windowMs: MINUTE_MS,
  pathSegments: { priority: 'priorities' },
  gauges: { ticket_count: 'city_tickets' },
});

/**
 * The spec of every aggregate topic in the contracts: a new `agg.*` stream in topics.json fails to
 * compile here until it has one.
 */
export const AGGREGATES: { readonly [S in AggregateStream]: AggregateSpec<S> } = {
  trafficByZone5m: TRAFFIC,
  mobilityIndex5m: MOBILITY,
  transportByLine10m: TRANSPORT,
  incidentsByZone15m: INCIDENTS,
  ticketsByPriority1m: TICKETS,
};

/** Every aggregate the sink consumes and stores. */
export const AGGREGATE_SPECS: readonly AggregateSpec[] = Object.values(AGGREGATES);
