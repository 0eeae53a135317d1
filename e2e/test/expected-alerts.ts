/**
 * The alerts an independent reading of the normalized events expects, restated from the rules as
 * apps/alerting/README.md documents them (not from its code): zone averages over a sliding
 * event-time window, hysteresis, cooldown, one episode per rule and subject, the correlation of
 * congestion with an open incident, critical incidents at once, crowded vehicles. The e2e test
 * sends the events so that the service sees every zone's readings in event-time order, so
 * replaying them in that order here gives exactly what it must write.
 */
import type {
  IncidentNormalized,
  TrafficReadingNormalized,
  TransportVehicleStatusNormalized,
} from '@citypulse/contracts';

/** The rules of the scenario: the rules file's sections for the rules the scenario exercises. */
export interface ScenarioRules {
  lateness_seconds: number;
  severe_congestion: ZoneRule & { fire_below: number; resolve_above: number };
  overcapacity: ZoneRule & { fire_above: number; resolve_below: number };
  crowded_vehicle: {
    severity: string;
    fire_above: number;
    resolve_below: number;
    cooldown_seconds: number;
  };
  critical_incident: { severity: string; severities: string[] };
  correlation: { severity: string; within_seconds: number; incident_open_seconds: number };
}
interface ZoneRule {
  severity: string;
  window_seconds: number;
  min_readings: number;
  cooldown_seconds: number;
}

export type NormalizedEvent =
  | { stream: 'traffic'; value: TrafficReadingNormalized }
  | { stream: 'transport'; value: TransportVehicleStatusNormalized }
  | { stream: 'incidents'; value: IncidentNormalized };

/** The fields of an alert the test compares. */
export interface ExpectedAlert {
  event_id: string;
  alert_id: string;
  rule: string;
  alert_type: string;
  status: 'FIRING' | 'RESOLVED';
  subject_id: string;
  zone_id: string | null;
  event_time: number;
  /** the incident a correlated alert names (its FIRING) */
  related_id: string | null;
}

type Verdict = 'breach' | 'clear' | 'hold';
const below = (x: number, fire: number, resolve: number): Verdict =>
  x < fire ? 'breach' : x > resolve ? 'clear' : 'hold';
const above = (x: number, fire: number, resolve: number): Verdict =>
  x > fire ? 'breach' : x < resolve ? 'clear' : 'hold';

/** A zone's readings over the last `windowMs` of its newest event time: (newest - w, newest]. */
class ZoneWindow {
  private readonly items: { t: number; x: number }[] = [];
  newest = -Infinity;
  constructor(private readonly windowMs: number) {}
  add(t: number, x: number): void {
    this.items.push({ t, x });
    this.newest = Math.max(this.newest, t);
    const from = this.newest - this.windowMs;
    while (this.items.length > 0 && this.items[0].t <= from) this.items.shift();
  }
  get count(): number {
    return this.items.length;
  }
  mean(): number {
    return this.items.reduce((s, i) => s + i.x, 0) / this.items.length;
  }
}

interface Episode {
  alertId: string;
  firedAt: number;
}

/** Replays the events in order; returns the alerts in the order they are written. */
export function expectedAlerts(
  events: readonly NormalizedEvent[],
  rules: ScenarioRules,
): ExpectedAlert[] {
  const out: ExpectedAlert[] = [];
  const open = new Map<string, Episode>();
  const resolvedAt = new Map<string, number>();
  const key = (rule: string, subject: string) => `${rule}\u0000${subject}`;

  /** One verdict on a rule and subject: FIRING once per episode (not within the cooldown), RESOLVED once. */
  const step = (
    rule: string,
    type: string,
    subject: string,
    zone: string | null,
    verdict: Verdict,
    t: number,
    cooldownS: number,
    related: string | null = null,
  ): void => {
    const k = key(rule, subject);
    const ep = open.get(k);
    if (verdict === 'breach' && !ep) {
      const last = resolvedAt.get(k);
      if (last !== undefined && t - last < cooldownS * 1000) return;
      const alertId = `${rule}|${subject}|${t}`;
      open.set(k, { alertId, firedAt: t });
      out.push(alert(alertId, rule, type, 'FIRING', subject, zone, t, related));
    } else if (verdict === 'clear' && ep) {
      open.delete(k);
      resolvedAt.set(k, t);
      out.push(alert(ep.alertId, rule, type, 'RESOLVED', subject, zone, t, null));
    }
  };

  const CONGESTION = 'traffic.severe_congestion';
  const CORRELATED = 'correlation.congestion_incident';
  const speed = new Map<string, ZoneWindow>();
  const occupancy = new Map<string, ZoneWindow>();
  const zoneNewest = new Map<string, number>();
  const vehicleNewest = new Map<string, number>();
  /** per zone, the incidents reported and not resolved: id -> first report time */
  const incidents = new Map<string, Map<string, number>>();
  const lateMs = rules.lateness_seconds * 1000;
  const window = (m: Map<string, ZoneWindow>, zone: string, seconds: number) => {
    let w = m.get(zone);
    if (!w) m.set(zone, (w = new ZoneWindow(seconds * 1000)));
    return w;
  };

  for (const e of events) {
    if (e.stream === 'traffic') {
      const v = e.value;
      const t = v.event_time;
      if (t < (zoneNewest.get(v.zone_id) ?? -Infinity) - lateMs) continue; // late: never evaluated
      zoneNewest.set(v.zone_id, Math.max(zoneNewest.get(v.zone_id) ?? -Infinity, t));

      const sc = rules.severe_congestion;
      const sw = window(speed, v.zone_id, sc.window_seconds);
      sw.add(t, v.speed_kmh);
      const sv =
        sw.count >= sc.min_readings ? below(sw.mean(), sc.fire_below, sc.resolve_above) : 'hold';
      if (sv === 'breach') {
        const busy = open.has(key(CORRELATED, v.zone_id)) || open.has(key(CONGESTION, v.zone_id));
        if (!busy) {
          // an incident of the zone reported within the bound and not resolved: one correlated alert
          const c = rules.correlation;
          let near: [string, number] | undefined;
          for (const [id, at] of incidents.get(v.zone_id) ?? []) {
            if (t - at > c.incident_open_seconds * 1000) continue;
            if (Math.abs(t - at) <= c.within_seconds * 1000 && (!near || at > near[1]))
              near = [id, at];
          }
          if (near)
            step(
              CORRELATED,
              'CORRELATED',
              v.zone_id,
              v.zone_id,
              'breach',
              t,
              sc.cooldown_seconds,
              near[0],
            );
          else
            step(
              CONGESTION,
              'SEVERE_CONGESTION',
              v.zone_id,
              v.zone_id,
              'breach',
              t,
              sc.cooldown_seconds,
            );
        }
      } else if (sv === 'clear') {
        step(
          CONGESTION,
          'SEVERE_CONGESTION',
          v.zone_id,
          v.zone_id,
          'clear',
          t,
          sc.cooldown_seconds,
        );
        step(CORRELATED, 'CORRELATED', v.zone_id, v.zone_id, 'clear', t, sc.cooldown_seconds);
      }

      const oc = rules.overcapacity;
      const ow = window(occupancy, v.zone_id, oc.window_seconds);
      ow.add(t, v.occupancy_pct);
      const ov =
        ow.count >= oc.min_readings ? above(ow.mean(), oc.fire_above, oc.resolve_below) : 'hold';
      step(
        'traffic.overcapacity',
        'OVERCAPACITY',
        v.zone_id,
        v.zone_id,
        ov,
        t,
        oc.cooldown_seconds,
      );
    } else if (e.stream === 'transport') {
      const v = e.value;
      const t = v.event_time;
      if (t < (vehicleNewest.get(v.vehicle_id) ?? -Infinity) - lateMs) continue;
      vehicleNewest.set(v.vehicle_id, Math.max(vehicleNewest.get(v.vehicle_id) ?? -Infinity, t));
      const cv = rules.crowded_vehicle;
      step(
        'transport.crowded_vehicle',
        'CROWDED_VEHICLE',
        v.vehicle_id,
        v.zone_id,
        above(v.occupancy_pct, cv.fire_above, cv.resolve_below),
        t,
        cv.cooldown_seconds,
      );
    } else {
      const v = e.value;
      const t = v.event_time;
      let zone = incidents.get(v.zone_id);
      if (!zone) incidents.set(v.zone_id, (zone = new Map<string, number>()));
      const resolved = v.status === 'RESOLVED';
      if (resolved) zone.delete(v.incident_id);
      else zone.set(v.incident_id, Math.min(zone.get(v.incident_id) ?? t, t));
      const critical = !resolved && rules.critical_incident.severities.includes(v.severity);
      step(
        'incidents.critical',
        'CRITICAL_INCIDENT',
        v.incident_id,
        v.zone_id,
        critical ? 'breach' : 'clear',
        t,
        0,
      );
      // congestion announced before the incident, within the bound: the correlated alert joins them
      const congestion = open.get(key(CONGESTION, v.zone_id));
      const c = rules.correlation;
      if (!resolved && congestion && Math.abs(t - congestion.firedAt) <= c.within_seconds * 1000) {
        step(
          CORRELATED,
          'CORRELATED',
          v.zone_id,
          v.zone_id,
          'breach',
          Math.max(t, congestion.firedAt),
          rules.severe_congestion.cooldown_seconds,
          v.incident_id,
        );
      }
    }
  }
  return out;
}

function alert(
  alertId: string,
  rule: string,
  type: string,
  status: 'FIRING' | 'RESOLVED',
  subject: string,
  zone: string | null,
  t: number,
  related: string | null,
): ExpectedAlert {
  return {
    event_id: `${alertId}|${status}`,
    alert_id: alertId,
    rule,
    alert_type: type,
    status,
    subject_id: subject,
    zone_id: zone,
    event_time: t,
    related_id: related,
  };
}
