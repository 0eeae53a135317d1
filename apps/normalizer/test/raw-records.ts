/**
 * Raw records of each worker's stream that its normalizer accepts against the seeded reference
 * data (libs/postgres/reference/city.json), for the integration specs: every field but the
 * envelope (event id, event time, source). Specs spread one and change what they test.
 */
import type {
  IncidentRaw,
  SupportTicketRaw,
  TrafficReadingRaw,
  TransportVehicleStatusRaw,
} from '@citypulse/contracts';
import type { WorkerName } from '../src/config/normalizer.config';

type Body<T> = Omit<T, 'event_id' | 'event_time' | 'source'>;

export const RAW_BODIES = {
  traffic: {
    sensor_id: 'Z02-S01',
    zone_id: 'Z02',
    speed: 42.5,
    speed_unit: 'KMH',
    vehicle_count: 17,
    occupancy_pct: 21.5,
  } satisfies Body<TrafficReadingRaw>,
  transport: {
    vehicle_id: 'B21-V02',
    line_id: 'B21',
    vehicle_type: 'BUS',
    latitude: 48.137,
    longitude: 11.575,
    delay_seconds: 30,
    passenger_count: 45,
    next_stop_id: 'S-4',
  } satisfies Body<TransportVehicleStatusRaw>,
  incidents: {
    incident_id: 'inc-1',
    zone_id: 'Z03',
    incident_type: 'ACCIDENT',
    severity: 'HIGH',
    status: 'REPORTED',
    latitude: 53.54,
    longitude: 9.98,
    description: 'lane 2 blocked',
  } satisfies Body<IncidentRaw>,
  tickets: {
    ticket_id: 'WEB-1',
    priority: 'HIGH',
    category: 'TRANSPORT',
    channel: 'WEB',
    zone_id: 'Z02',
    subject: 'Tram 5 skipped my stop',
  } satisfies Body<SupportTicketRaw>,
} as const;

/** The raw contract each worker reads. */
export const RAW_STREAM = {
  traffic: 'trafficRaw',
  transport: 'transportRaw',
  incidents: 'incidentsRaw',
  tickets: 'ticketsRaw',
} as const satisfies Record<WorkerName, string>;

/** A raw record of `worker`'s stream the normalizer accepts, a minute old. */
export function goodRaw<W extends WorkerName>(worker: W, eventId: string, source = 'int-test') {
  return {
    event_id: eventId,
    event_time: Date.now() - 60_000,
    ...RAW_BODIES[worker],
    source,
  };
}
