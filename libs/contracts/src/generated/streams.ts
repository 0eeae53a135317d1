// GENERATED from libs/contracts/schemas/*.avsc and topics.json by scripts/generate-types.js.
// Do not edit: change the schema, then run `pnpm --filter @citypulse/contracts generate`.

import type {
  TrafficReadingRaw,
  TrafficReadingNormalized,
  TransportVehicleStatusRaw,
  TransportVehicleStatusNormalized,
  IncidentRaw,
  IncidentNormalized,
  SupportTicketRaw,
  SupportTicketNormalized,
  TicketCountsByPriority1m,
  TrafficZoneAggregate5m,
  TransportLineAggregate10m,
  IncidentZoneAggregate15m,
  MobilityIndex5m,
  Alert,
} from './types';

export const NAMESPACE = 'city.pulse';
export const SUBJECT_SUFFIX = '-value';
export const DLQ_SUFFIX = '.dlq';
export const KEY_SEPARATOR = '|';

/** Every stream: its topic, value schema file, value type and key fields (topics.json). */
export const STREAM_DEFINITIONS = {
  trafficRaw: {
    topic: 'traffic.raw',
    schemaFile: 'traffic-reading-raw.avsc',
    valueType: 'city.pulse.TrafficReadingRaw',
    keyFields: ['sensor_id'],
    partitions: 3,
  },
  trafficNormalized: {
    topic: 'traffic.normalized',
    schemaFile: 'traffic-reading-normalized.avsc',
    valueType: 'city.pulse.TrafficReadingNormalized',
    keyFields: ['sensor_id'],
    partitions: 3,
  },
  transportRaw: {
    topic: 'transport.raw',
    schemaFile: 'transport-vehicle-status-raw.avsc',
    valueType: 'city.pulse.TransportVehicleStatusRaw',
    keyFields: ['vehicle_id'],
    partitions: 3,
  },
  transportNormalized: {
    topic: 'transport.normalized',
    schemaFile: 'transport-vehicle-status-normalized.avsc',
    valueType: 'city.pulse.TransportVehicleStatusNormalized',
    keyFields: ['vehicle_id'],
    partitions: 3,
  },
  incidentsRaw: {
    topic: 'incidents.raw',
    schemaFile: 'incident-raw.avsc',
    valueType: 'city.pulse.IncidentRaw',
    keyFields: ['incident_id'],
    partitions: 3,
  },
  incidentsNormalized: {
    topic: 'incidents.normalized',
    schemaFile: 'incident-normalized.avsc',
    valueType: 'city.pulse.IncidentNormalized',
    keyFields: ['incident_id'],
    partitions: 3,
  },
  ticketsRaw: {
    topic: 'tickets.raw',
    schemaFile: 'support-ticket-raw.avsc',
    valueType: 'city.pulse.SupportTicketRaw',
    keyFields: ['ticket_id'],
    partitions: 3,
  },
  ticketsNormalized: {
    topic: 'tickets.normalized',
    schemaFile: 'support-ticket-normalized.avsc',
    valueType: 'city.pulse.SupportTicketNormalized',
    keyFields: ['ticket_id'],
    partitions: 3,
  },
  ticketsByPriority1m: {
    topic: 'agg.tickets.1m',
    schemaFile: 'agg-tickets-1m.avsc',
    valueType: 'city.pulse.TicketCountsByPriority1m',
    keyFields: ['priority', 'window_start'],
    partitions: 3,
  },
  trafficByZone5m: {
    topic: 'agg.traffic.5m',
    schemaFile: 'agg-traffic-5m.avsc',
    valueType: 'city.pulse.TrafficZoneAggregate5m',
    keyFields: ['zone_id', 'window_start'],
    partitions: 3,
  },
  transportByLine10m: {
    topic: 'agg.transport.10m',
    schemaFile: 'agg-transport-10m.avsc',
    valueType: 'city.pulse.TransportLineAggregate10m',
    keyFields: ['line_id', 'window_start'],
    partitions: 3,
  },
  incidentsByZone15m: {
    topic: 'agg.incidents.15m',
    schemaFile: 'agg-incidents-15m.avsc',
    valueType: 'city.pulse.IncidentZoneAggregate15m',
    keyFields: ['zone_id', 'severity', 'window_start'],
    partitions: 3,
  },
  mobilityIndex5m: {
    topic: 'agg.mobility.5m',
    schemaFile: 'agg-mobility-5m.avsc',
    valueType: 'city.pulse.MobilityIndex5m',
    keyFields: ['window_start'],
    partitions: 3,
  },
  alerts: {
    topic: 'alerts',
    schemaFile: 'alert.avsc',
    valueType: 'city.pulse.Alert',
    keyFields: ['alert_id'],
    partitions: 3,
    configs: { 'cleanup.policy': 'compact' },
  },
} as const;

/** The generated value type of each stream. */
export interface StreamValues {
  trafficRaw: TrafficReadingRaw;
  trafficNormalized: TrafficReadingNormalized;
  transportRaw: TransportVehicleStatusRaw;
  transportNormalized: TransportVehicleStatusNormalized;
  incidentsRaw: IncidentRaw;
  incidentsNormalized: IncidentNormalized;
  ticketsRaw: SupportTicketRaw;
  ticketsNormalized: SupportTicketNormalized;
  ticketsByPriority1m: TicketCountsByPriority1m;
  trafficByZone5m: TrafficZoneAggregate5m;
  transportByLine10m: TransportLineAggregate10m;
  incidentsByZone15m: IncidentZoneAggregate15m;
  mobilityIndex5m: MobilityIndex5m;
  alerts: Alert;
}
