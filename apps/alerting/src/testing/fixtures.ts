import type {
  Alert,
  IncidentNormalized,
  TrafficReadingNormalized,
  TransportVehicleStatusNormalized,
} from '@citypulse/contracts';
import { DEFAULT_RULES_FILE } from '../config';
import type { Reading } from '../engine/alert-engine';
import { loadRules, parseRules, type Rules } from '../rules/rules-file';

/** The shipped rules file with some values changed (validated like a real file). */
export function rulesWith(
  change: (r: Record<string, Record<string, unknown>>) => void = () => undefined,
): Rules {
  const r = structuredClone(loadRules(DEFAULT_RULES_FILE)) as unknown as Record<
    string,
    Record<string, unknown>
  >;
  change(r);
  return parseRules(r);
}

export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

let seq = 0;

export function traffic(
  p: Partial<TrafficReadingNormalized> & { sensor_id: string; t: number },
  topic = 'traffic.normalized',
): Reading<TrafficReadingNormalized> {
  const { t, ...rest } = p;
  const value: TrafficReadingNormalized = {
    event_id: `tr-${++seq}`,
    event_time: t,
    zone_id: 'Z01',
    zone_name: 'Old Town',
    speed_kmh: 40,
    vehicle_count: 10,
    occupancy_pct: 20,
    speed_limit_kmh: 50,
    capacity: 1800,
    original_speed_unit: 'KMH',
    source: 'test',
    ingested_at: t,
    ...rest,
  };
  return { value, topic, timestamp: t };
}

export function vehicle(
  p: Partial<TransportVehicleStatusNormalized> & { vehicle_id: string; t: number },
  topic = 'transport.normalized',
): Reading<TransportVehicleStatusNormalized> {
  const { t, ...rest } = p;
  const value: TransportVehicleStatusNormalized = {
    event_id: `tv-${++seq}`,
    event_time: t,
    line_id: 'L1',
    line_name: 'Line 1',
    vehicle_type: 'BUS',
    zone_id: 'Z01',
    latitude: 0,
    longitude: 0,
    delay_seconds: 0,
    on_time: true,
    passenger_count: 10,
    capacity: 100,
    occupancy_pct: 10,
    source: 'test',
    ingested_at: t,
    ...rest,
  };
  return { value, topic, timestamp: t };
}

export function incident(
  p: Partial<IncidentNormalized> & { incident_id: string; t: number },
  topic = 'incidents.normalized',
): Reading<IncidentNormalized> {
  const { t, ...rest } = p;
  const value: IncidentNormalized = {
    event_id: `in-${++seq}`,
    event_time: t,
    zone_id: 'Z01',
    zone_name: 'Old Town',
    incident_type: 'ACCIDENT',
    severity: 'HIGH',
    status: 'REPORTED',
    latitude: null,
    longitude: null,
    description: null,
    source: 'test',
    ingested_at: t,
    ...rest,
  };
  return { value, topic, timestamp: t };
}

/** An alert with every field set (FIRING, zone Z1); `over` changes some. */
export function sampleAlert(over: Partial<Alert> = {}): Alert {
  return {
    event_id: 'r|Z1|1|FIRING',
    event_time: 1,
    alert_id: 'r|Z1|1',
    alert_type: 'SEVERE_CONGESTION',
    severity: 'HIGH',
    status: 'FIRING',
    rule: 'r',
    subject_id: 'Z1',
    zone_id: 'Z1',
    message: 'm',
    value: 1,
    threshold: 5,
    source_topic: null,
    source_event_id: null,
    fired_at: 1,
    related_id: null,
    ...over,
  };
}
