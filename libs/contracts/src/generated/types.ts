// GENERATED from libs/contracts/schemas/*.avsc and topics.json by scripts/generate-types.js.
// Do not edit: change the schema, then run `pnpm --filter @citypulse/contracts generate`.

/** Symbols of the Avro enum city.pulse.Severity. Readers map unknown symbols to UNKNOWN. */
export const Severity = {
  UNKNOWN: 'UNKNOWN',
  LOW: 'LOW',
  MEDIUM: 'MEDIUM',
  HIGH: 'HIGH',
  CRITICAL: 'CRITICAL',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** Symbols of the Avro enum city.pulse.AlertLevel. Readers map unknown symbols to UNKNOWN. */
export const AlertLevel = {
  UNKNOWN: 'UNKNOWN',
  NONE: 'NONE',
  YELLOW: 'YELLOW',
  ORANGE: 'ORANGE',
  RED: 'RED',
} as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel];

/** Incidents per zone and severity in a 15-minute tumbling event-time window, with an alert level. One record per update of a window; the newest updated_at wins. Topic agg.incidents.15m, key zone_id|severity|window_start. */
export interface IncidentZoneAggregate15m {
  /** Id of this update: the record key and updated_at joined by '|'. */
  event_id: string;
  /** Event time of the update: window_end. (epoch millis) */
  event_time: number;
  /** Window start, inclusive, epoch millis UTC. */
  window_start: number;
  /** Window end, exclusive, epoch millis UTC. */
  window_end: number;
  /** Canonical zone id. */
  zone_id: string;
  /** Zone name. */
  zone_name: string;
  /** Severity. */
  severity: Severity;
  /** Distinct incidents (incident_id) in the window. */
  incident_count: number;
  /** Alert level of the zone and severity in the window; thresholds in spark/README.md. */
  alert_level: AlertLevel;
  /** When this update was computed; increases with every update of the window, so a sink keeps the newest. (epoch millis) */
  updated_at: number;
}

/** Symbols of the Avro enum city.pulse.MobilityCategory. Readers map unknown symbols to UNKNOWN. */
export const MobilityCategory = {
  UNKNOWN: 'UNKNOWN',
  EXCELLENT: 'EXCELLENT',
  GOOD: 'GOOD',
  MODERATE: 'MODERATE',
  LOW: 'LOW',
  CRITICAL: 'CRITICAL',
} as const;
export type MobilityCategory = (typeof MobilityCategory)[keyof typeof MobilityCategory];

/** City-wide mobility index in a 5-minute tumbling event-time window: (avg_speed_kmh/50*0.6 + (100-avg_occupancy_pct)/100*0.4)*100. One record per update of a window; the newest updated_at wins. Topic agg.mobility.5m, key window_start. */
export interface MobilityIndex5m {
  /** Id of this update: the record key and updated_at joined by '|'. */
  event_id: string;
  /** Event time of the update: window_end. (epoch millis) */
  event_time: number;
  /** Window start, inclusive, epoch millis UTC. */
  window_start: number;
  /** Window end, exclusive, epoch millis UTC. */
  window_end: number;
  /** Mean speed_kmh over every traffic reading in the window. */
  avg_speed_kmh: number;
  /** Mean occupancy_pct over every traffic reading in the window, 0-100. */
  avg_occupancy_pct: number;
  /** The index (formula above). */
  mobility_index: number;
  /** EXCELLENT > 80, GOOD 60-80, MODERATE 40-60, LOW 20-40, CRITICAL < 20. */
  category: MobilityCategory;
  /** Zones that reported in the window. */
  zones: number;
  /** Distinct traffic readings (event ids) in the window. */
  readings: number;
  /** When this update was computed; increases with every update of the window, so a sink keeps the newest. (epoch millis) */
  updated_at: number;
}

/** Symbols of the Avro enum city.pulse.TicketPriority. Readers map unknown symbols to UNKNOWN. */
export const TicketPriority = {
  UNKNOWN: 'UNKNOWN',
  LOW: 'LOW',
  MEDIUM: 'MEDIUM',
  HIGH: 'HIGH',
  URGENT: 'URGENT',
} as const;
export type TicketPriority = (typeof TicketPriority)[keyof typeof TicketPriority];

/** Support tickets opened per priority in a 1-minute tumbling event-time window. One record per update of a window; the newest updated_at wins. Topic agg.tickets.1m, key priority|window_start. */
export interface TicketCountsByPriority1m {
  /** Id of this update: the record key and updated_at joined by '|'. */
  event_id: string;
  /** Event time of the update: window_end. (epoch millis) */
  event_time: number;
  /** Window start, inclusive, epoch millis UTC. */
  window_start: number;
  /** Window end, exclusive, epoch millis UTC. */
  window_end: number;
  /** Priority. */
  priority: TicketPriority;
  /** Distinct tickets opened in the window. */
  ticket_count: number;
  /** When this update was computed; increases with every update of the window, so a sink keeps the newest. (epoch millis) */
  updated_at: number;
}

/** Traffic per zone in a 5-minute tumbling event-time window. One record per update of a window; the newest updated_at wins. Topic agg.traffic.5m, key zone_id|window_start. */
export interface TrafficZoneAggregate5m {
  /** Id of this update: the record key and updated_at joined by '|'. */
  event_id: string;
  /** Event time of the update: window_end. (epoch millis) */
  event_time: number;
  /** Window start, inclusive, epoch millis UTC. */
  window_start: number;
  /** Window end, exclusive, epoch millis UTC. */
  window_end: number;
  /** Canonical zone id. */
  zone_id: string;
  /** Zone name. */
  zone_name: string;
  /** Mean of speed_kmh over the window's readings. */
  avg_speed_kmh: number;
  /** Lowest speed_kmh in the window. */
  min_speed_kmh: number;
  /** Highest speed_kmh in the window. */
  max_speed_kmh: number;
  /** Sum of vehicle_count over the window's readings. */
  total_vehicle_flow: number;
  /** Mean of occupancy_pct over the window's readings, 0-100. */
  avg_occupancy_pct: number;
  /** 0 (free flow) to 100 (standstill); formula in spark/README.md. */
  congestion_score: number;
  /** Distinct readings (event ids) in the window. */
  readings: number;
  /** When this update was computed; increases with every update of the window, so a sink keeps the newest. (epoch millis) */
  updated_at: number;
}

/** Public transport per line in a 10-minute tumbling event-time window. One record per update of a window; the newest updated_at wins. Topic agg.transport.10m, key line_id|window_start. */
export interface TransportLineAggregate10m {
  /** Id of this update: the record key and updated_at joined by '|'. */
  event_id: string;
  /** Event time of the update: window_end. (epoch millis) */
  event_time: number;
  /** Window start, inclusive, epoch millis UTC. */
  window_start: number;
  /** Window end, exclusive, epoch millis UTC. */
  window_end: number;
  /** Canonical line id. */
  line_id: string;
  /** Line name. */
  line_name: string;
  /** Mean delay_seconds over the window's status reports. */
  avg_delay_seconds: number;
  /** Mean occupancy_pct over the window's status reports, 0-100. */
  avg_occupancy_pct: number;
  /** Distinct vehicles that reported in the window. */
  active_vehicles: number;
  /** Sum over vehicles of their latest passenger_count in the window. */
  total_passengers: number;
  /** Share of on-time status reports, 0-100. */
  punctuality_score: number;
  /** Distinct vehicles that reported occupancy above 90 % in the window. */
  crowded_vehicles: number;
  /** Distinct status reports (event ids) in the window. */
  readings: number;
  /** When this update was computed; increases with every update of the window, so a sink keeps the newest. (epoch millis) */
  updated_at: number;
}

/** Symbols of the Avro enum city.pulse.AlertType. Readers map unknown symbols to UNKNOWN. */
export const AlertType = {
  UNKNOWN: 'UNKNOWN',
  SEVERE_CONGESTION: 'SEVERE_CONGESTION',
  OVERCAPACITY: 'OVERCAPACITY',
  CROWDED_VEHICLE: 'CROWDED_VEHICLE',
  CRITICAL_INCIDENT: 'CRITICAL_INCIDENT',
  DATA_QUALITY: 'DATA_QUALITY',
  ANOMALY: 'ANOMALY',
  CORRELATED: 'CORRELATED',
} as const;
export type AlertType = (typeof AlertType)[keyof typeof AlertType];

/** Symbols of the Avro enum city.pulse.AlertStatus. Readers map unknown symbols to UNKNOWN. */
export const AlertStatus = {
  UNKNOWN: 'UNKNOWN',
  FIRING: 'FIRING',
  RESOLVED: 'RESOLVED',
} as const;
export type AlertStatus = (typeof AlertStatus)[keyof typeof AlertStatus];

/** An alert firing or resolving. Topic alerts, key alert_id. */
export interface Alert {
  /** Unique id of this alert event. */
  event_id: string;
  /** Event time of the record that fired or resolved the alert, epoch millis UTC. */
  event_time: number;
  /** Id of the alert; its firing and resolution share it (e.g. rule|subject_id|first fired at). */
  alert_id: string;
  /** Rule family that raised the alert. */
  alert_type: AlertType;
  /** Severity. */
  severity: Severity;
  /** Whether this event fires or resolves the alert. */
  status: AlertStatus;
  /** Rule id, e.g. traffic.severe_congestion. */
  rule: string;
  /** What the alert is about: a sensor, zone, vehicle or line id. */
  subject_id: string;
  /** Zone, when known. */
  zone_id: null | string;
  /** Human-readable summary. */
  message: string;
  /** Observed value that crossed the threshold. */
  value: null | number;
  /** Threshold of the rule. */
  threshold: null | number;
  /** Topic of the record that triggered the alert. */
  source_topic: null | string;
  /** event_id of the record that triggered the alert. */
  source_event_id: null | string;
  /** Event time the episode started (its FIRING), epoch millis UTC; on a RESOLVED the FIRING's time. */
  fired_at: null | number;
  /** A CORRELATED alert's other subject: the incident id joined with the zone's congestion. */
  related_id: null | string;
}

/** Symbols of the Avro enum city.pulse.IncidentType. Readers map unknown symbols to UNKNOWN. */
export const IncidentType = {
  UNKNOWN: 'UNKNOWN',
  ACCIDENT: 'ACCIDENT',
  BREAKDOWN: 'BREAKDOWN',
  ROADWORK: 'ROADWORK',
  CONGESTION: 'CONGESTION',
  FLOODING: 'FLOODING',
  FIRE: 'FIRE',
  PUBLIC_EVENT: 'PUBLIC_EVENT',
  SIGNAL_FAILURE: 'SIGNAL_FAILURE',
  OTHER: 'OTHER',
} as const;
export type IncidentType = (typeof IncidentType)[keyof typeof IncidentType];

/** Symbols of the Avro enum city.pulse.IncidentStatus. Readers map unknown symbols to UNKNOWN. */
export const IncidentStatus = {
  UNKNOWN: 'UNKNOWN',
  REPORTED: 'REPORTED',
  UPDATED: 'UPDATED',
  RESOLVED: 'RESOLVED',
} as const;
export type IncidentStatus = (typeof IncidentStatus)[keyof typeof IncidentStatus];

/** A validated incident report with canonical ids and its zone's name. Topic incidents.normalized, key incident_id. */
export interface IncidentNormalized {
  /** Id of the raw report this was normalized from. */
  event_id: string;
  /** When the incident was observed, epoch millis UTC. */
  event_time: number;
  /** Id of the incident. */
  incident_id: string;
  /** Canonical zone id. */
  zone_id: string;
  /** Zone name from the reference data. */
  zone_name: string;
  /** Kind of incident. */
  incident_type: IncidentType;
  /** Severity. */
  severity: Severity;
  /** Lifecycle step this report describes. */
  status: IncidentStatus;
  /** WGS84 latitude, when known. */
  latitude: null | number;
  /** WGS84 longitude, when known. */
  longitude: null | number;
  /** Free text. */
  description: null | string;
  /** Producer of the raw record. */
  source: string;
  /** When the normalizer processed the report, epoch millis UTC. */
  ingested_at: number;
}

/** An incident report or update as received. Topic incidents.raw, key incident_id. */
export interface IncidentRaw {
  /** Unique id of this report. */
  event_id: string;
  /** When the incident was observed, epoch millis UTC. */
  event_time: number;
  /** Id of the incident; its reports and updates share it. */
  incident_id: string;
  /** Zone id as reported. */
  zone_id: string;
  /** Kind of incident. */
  incident_type: IncidentType;
  /** Severity as reported. */
  severity: Severity;
  /** Lifecycle step this report describes. */
  status: IncidentStatus;
  /** WGS84 latitude, when known. */
  latitude: null | number;
  /** WGS84 longitude, when known. */
  longitude: null | number;
  /** Free text. */
  description: null | string;
  /** Producer of the record. */
  source: string;
}

/** Symbols of the Avro enum city.pulse.TicketCategory. Readers map unknown symbols to UNKNOWN. */
export const TicketCategory = {
  UNKNOWN: 'UNKNOWN',
  TRAFFIC: 'TRAFFIC',
  TRANSPORT: 'TRANSPORT',
  INFRASTRUCTURE: 'INFRASTRUCTURE',
  SAFETY: 'SAFETY',
  NOISE: 'NOISE',
  WASTE: 'WASTE',
  BILLING: 'BILLING',
  OTHER: 'OTHER',
} as const;
export type TicketCategory = (typeof TicketCategory)[keyof typeof TicketCategory];

/** Symbols of the Avro enum city.pulse.TicketChannel. Readers map unknown symbols to UNKNOWN. */
export const TicketChannel = {
  UNKNOWN: 'UNKNOWN',
  PHONE: 'PHONE',
  EMAIL: 'EMAIL',
  WEB: 'WEB',
  APP: 'APP',
  SOCIAL: 'SOCIAL',
  IN_PERSON: 'IN_PERSON',
} as const;
export type TicketChannel = (typeof TicketChannel)[keyof typeof TicketChannel];

/** A validated support ticket with canonical ids. Topic tickets.normalized, key ticket_id. */
export interface SupportTicketNormalized {
  /** Id of the raw ticket event this was normalized from. */
  event_id: string;
  /** When the ticket was opened, epoch millis UTC. */
  event_time: number;
  /** Canonical ticket id. */
  ticket_id: string;
  /** Priority. */
  priority: TicketPriority;
  /** What the ticket is about. */
  category: TicketCategory;
  /** Where the ticket came in. */
  channel: TicketChannel;
  /** Canonical zone id, when known. */
  zone_id: null | string;
  /** Zone name, when zone_id is known. */
  zone_name: null | string;
  /** Short subject line. */
  subject: string;
  /** Producer of the raw record. */
  source: string;
  /** When the normalizer processed the ticket, epoch millis UTC. */
  ingested_at: number;
}

/** A citizen support ticket as opened. Topic tickets.raw, key ticket_id. */
export interface SupportTicketRaw {
  /** Unique id of this ticket event. */
  event_id: string;
  /** When the ticket was opened, epoch millis UTC. */
  event_time: number;
  /** Ticket id as issued by the channel. */
  ticket_id: string;
  /** Priority. */
  priority: TicketPriority;
  /** What the ticket is about. */
  category: TicketCategory;
  /** Where the ticket came in. */
  channel: TicketChannel;
  /** Zone the ticket is about, when known. */
  zone_id: null | string;
  /** Short subject line. */
  subject: string;
  /** Producer of the record. */
  source: string;
}

/** Symbols of the Avro enum city.pulse.SpeedUnit. Readers map unknown symbols to UNKNOWN. */
export const SpeedUnit = {
  UNKNOWN: 'UNKNOWN',
  KMH: 'KMH',
  MPH: 'MPH',
} as const;
export type SpeedUnit = (typeof SpeedUnit)[keyof typeof SpeedUnit];

/** A validated traffic reading in km/h with canonical ids, enriched with its zone's reference data. Topic traffic.normalized, key sensor_id. */
export interface TrafficReadingNormalized {
  /** Id of the raw reading this was normalized from. */
  event_id: string;
  /** When the sensor measured, epoch millis UTC. */
  event_time: number;
  /** Canonical sensor id. */
  sensor_id: string;
  /** Canonical zone id. */
  zone_id: string;
  /** Zone name from the reference data. */
  zone_name: string;
  /** Average speed, km/h (0-250). */
  speed_kmh: number;
  /** Vehicles that passed during the reading interval (>= 0). */
  vehicle_count: number;
  /** Detector occupancy, 0-100. */
  occupancy_pct: number;
  /** Speed limit of the zone, km/h. */
  speed_limit_kmh: number;
  /** Vehicles per hour the zone's roads carry at free flow. */
  capacity: number;
  /** Unit of the raw reading's speed before conversion. */
  original_speed_unit: SpeedUnit;
  /** Producer of the raw record. */
  source: string;
  /** When the normalizer processed the reading, epoch millis UTC. */
  ingested_at: number;
}

/** One reading of a road traffic sensor as the sensor (or a replayed file) sent it. Topic traffic.raw, key sensor_id. */
export interface TrafficReadingRaw {
  /** Unique id of the reading; a re-sent reading keeps its id. */
  event_id: string;
  /** When the sensor measured, epoch millis UTC. */
  event_time: number;
  /** Sensor id as the device reports it (not yet canonicalized). */
  sensor_id: string;
  /** Zone id as the device reports it (not yet canonicalized). */
  zone_id: string;
  /** Average speed over the reading interval, in speed_unit. */
  speed: number;
  /** Unit of speed. */
  speed_unit: SpeedUnit;
  /** Vehicles that passed during the reading interval. */
  vehicle_count: number;
  /** Share of the interval the detector was occupied, 0-100. */
  occupancy_pct: number;
  /** Producer of the record, e.g. sensor-generator or replay:<file>. */
  source: string;
}

/** Symbols of the Avro enum city.pulse.VehicleType. Readers map unknown symbols to UNKNOWN. */
export const VehicleType = {
  UNKNOWN: 'UNKNOWN',
  BUS: 'BUS',
  TRAM: 'TRAM',
  METRO: 'METRO',
  TRAIN: 'TRAIN',
  FERRY: 'FERRY',
} as const;
export type VehicleType = (typeof VehicleType)[keyof typeof VehicleType];

/** A validated vehicle status with canonical ids, enriched with the line's reference data. Topic transport.normalized, key vehicle_id. */
export interface TransportVehicleStatusNormalized {
  /** Id of the raw status this was normalized from. */
  event_id: string;
  /** When the vehicle reported, epoch millis UTC. */
  event_time: number;
  /** Canonical vehicle id. */
  vehicle_id: string;
  /** Canonical line id. */
  line_id: string;
  /** Line name from the reference data. */
  line_name: string;
  /** Kind of vehicle. */
  vehicle_type: VehicleType;
  /** Zone the vehicle is in, when known. */
  zone_id: null | string;
  /** WGS84 latitude. */
  latitude: number;
  /** WGS84 longitude. */
  longitude: number;
  /** Delay against the timetable in seconds; negative = early. */
  delay_seconds: number;
  /** Whether the delay is within the punctuality tolerance. */
  on_time: boolean;
  /** Passengers on board (>= 0). */
  passenger_count: number;
  /** Passenger capacity of the vehicle from the reference data. */
  capacity: number;
  /** passenger_count / capacity * 100. */
  occupancy_pct: number;
  /** Producer of the raw record. */
  source: string;
  /** When the normalizer processed the status, epoch millis UTC. */
  ingested_at: number;
}

/** Position and load of one public-transport vehicle as it reported them. Topic transport.raw, key vehicle_id. */
export interface TransportVehicleStatusRaw {
  /** Unique id of the status report. */
  event_id: string;
  /** When the vehicle reported, epoch millis UTC. */
  event_time: number;
  /** Vehicle id as reported. */
  vehicle_id: string;
  /** Line id as reported. */
  line_id: string;
  /** Kind of vehicle. */
  vehicle_type: VehicleType;
  /** WGS84 latitude. */
  latitude: number;
  /** WGS84 longitude. */
  longitude: number;
  /** Delay against the timetable in seconds; negative = early. */
  delay_seconds: number;
  /** Passengers on board. */
  passenger_count: number;
  /** Next stop, when known. */
  next_stop_id: null | string;
  /** Producer of the record. */
  source: string;
}
