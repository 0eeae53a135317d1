import type {
  Alert,
  AlertType,
  IncidentNormalized,
  TrafficReadingNormalized,
  TransportVehicleStatusNormalized,
} from '@citypulse/contracts';
import { levelsFor, type AlertSeverity, type Rules } from '../rules/rules-file';
import { RunCounter, SensorBaselines } from './anomaly';
import {
  aboveVerdict,
  belowVerdict,
  EpisodeBook,
  type OpenEpisode,
  type Transition,
  type Verdict,
} from './episodes';
import { RateWindow, SlidingWindow } from './sliding-window';

/** Rule ids: the `rule` of every alert, and the lifecycle family of its episodes. */
export const RULES = {
  severeCongestion: 'traffic.severe_congestion',
  overcapacity: 'traffic.overcapacity',
  crowdedVehicle: 'transport.crowded_vehicle',
  criticalIncident: 'incidents.critical',
  silentSensor: 'data_quality.silent_sensor',
  stuckSensor: 'data_quality.stuck_sensor',
  dlqRate: 'data_quality.dlq_rate',
  anomaly: 'anomaly.sensor_speed',
  correlated: 'correlation.congestion_incident',
} as const;
export type RuleId = (typeof RULES)[keyof typeof RULES];
export const RULE_IDS: readonly RuleId[] = Object.values(RULES);

/** The sources whose DLQ rate is watched (the normalizer's raw topics). */
export type DlqSource = 'traffic' | 'transport' | 'incidents';

/** A decoded record as the engine sees it: its value, topic and record timestamp. */
export interface Reading<T> {
  value: T;
  topic: string;
  /** the Kafka record's timestamp, epoch ms (the DLQ rate's clock) */
  timestamp: number;
}

export interface EngineHooks {
  /** a reading dropped because it was later than the lateness bound */
  late?(topic: string): void;
}

interface OpenIncident {
  id: string;
  at: number;
  type: string;
  severity: string;
}

interface AlertFacts {
  type: AlertType;
  severity: AlertSeverity;
  message: string;
  zoneId: string | null;
  value: number | null;
  threshold: number | null;
  eventTime: number;
  sourceTopic: string | null;
  sourceEventId: string | null;
  relatedId?: string | null;
}

const SWEEP_EVERY_MS = 1_000;
/** Closed episodes are forgotten a day (of event time) after they closed: longer than any cooldown. */
const FORGET_AFTER_MS = 86_400_000;
const round = (v: number) => Math.round(v * 100) / 100;

/**
 * Every rule, evaluated per reading in event time; knows nothing of Kafka. Each call takes the
 * readings of one batch and returns the alerts (FIRING / RESOLVED records of the contract) they
 * cause, in order. State lives in memory; the episodes are rebuilt at start from the alerts the
 * service wrote (restore), the windows and baselines from the readings that follow.
 */
export class AlertEngine {
  private readonly episodes = new EpisodeBook();
  private readonly zones = new Map<string, SlidingWindow>();
  private readonly zoneOcc = new Map<string, SlidingWindow>();
  private readonly sensorClock = new Map<string, number>();
  private readonly sensorZone = new Map<string, string>();
  private readonly stuck = new Map<string, { speed: number; occ: number; run: number }>();
  private readonly vehicleClock = new Map<string, number>();
  private readonly openIncidents = new Map<string, Map<string, OpenIncident>>();
  private readonly dlqWindows = new Map<DlqSource, RateWindow>();
  private readonly baselines: SensorBaselines;
  private readonly anomalyRuns = new RunCounter();
  private trafficClock = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  private lastPrune = Number.NEGATIVE_INFINITY;
  private readonly latenessMs: number;

  constructor(
    private readonly rules: Rules,
    private readonly hooks: EngineHooks = {},
  ) {
    this.latenessMs = rules.lateness_seconds * 1000;
    const a = rules.anomaly;
    this.baselines = new SensorBaselines({
      alpha: a.alpha,
      fireZ: a.fire_z,
      warmupReadings: a.warmup_readings,
      minSpread: a.min_spread_kmh,
    });
  }

  /** Open episodes (the open-alerts gauge). */
  openCount(): number {
    return this.episodes.openEpisodes().length;
  }

  /** The open episodes themselves (the open-alerts gauge by rule). */
  openEpisodes(): OpenEpisode[] {
    return this.episodes.openEpisodes();
  }

  /** Rebuilds the episodes from the alerts this service wrote (any order; the last record per alert_id wins). */
  restore(alerts: Iterable<Alert>): number {
    const last = new Map<string, Alert>();
    for (const a of alerts) last.set(a.alert_id, a);
    for (const a of last.values()) {
      if (a.status !== 'FIRING' && a.status !== 'RESOLVED') continue;
      this.episodes.restore(a.rule, {
        alertId: a.alert_id,
        rule: a.rule,
        subjectId: a.subject_id,
        status: a.status,
        firedAt: a.fired_at ?? a.event_time,
        eventTime: a.event_time,
      });
    }
    return last.size;
  }

  // --- traffic: congestion, overcapacity, correlation, data quality, anomaly -----------------------

  traffic(readings: readonly Reading<TrafficReadingNormalized>[]): Alert[] {
    const out: Alert[] = [];
    for (const r of readings) this.trafficReading(r, out);
    this.countForDlqRate('traffic', readings, 0, out);
    this.sweepSilentSensors(out);
    return out;
  }

  private trafficReading(r: Reading<TrafficReadingNormalized>, out: Alert[]): void {
    const v = r.value;
    const t = v.event_time;
    const zone = this.zoneWindow(v.zone_id);
    const sensorNewest = this.sensorClock.get(v.sensor_id) ?? Number.NEGATIVE_INFINITY;
    if (t < sensorNewest - this.latenessMs || t < zone.clock - this.latenessMs) {
      this.hooks.late?.(r.topic);
      return;
    }
    this.sensorClock.set(v.sensor_id, Math.max(sensorNewest, t));
    this.sensorZone.set(v.sensor_id, v.zone_id);
    if (t > this.trafficClock) this.trafficClock = t;
    const src = { sourceTopic: r.topic, sourceEventId: v.event_id, eventTime: t };

    // the sensor reports again: a silence is over
    const rs = this.rules;
    if (rs.silent_sensor.enabled) {
      this.apply(RULES.silentSensor, v.sensor_id, 'clear', t, 0, out, () => ({
        ...src,
        type: 'DATA_QUALITY',
        severity: rs.silent_sensor.severity,
        zoneId: v.zone_id,
        value: null,
        threshold: rs.silent_sensor.reporting_interval_seconds * rs.silent_sensor.intervals,
        message: `sensor ${v.sensor_id} (zone ${v.zone_id}) reports again`,
      }));
    }

    zone.add(t, [v.speed_kmh, v.occupancy_pct]);
    if (rs.severe_congestion.enabled) this.congestion(v, zone, src, out);
    if (rs.overcapacity.enabled) {
      const lv = levelsFor(rs.overcapacity, v.zone_id);
      const occ = this.zoneOccupancy(v.zone_id, t, v.occupancy_pct);
      const verdict =
        occ.count >= rs.overcapacity.min_readings ? aboveVerdict(occ.mean(0), lv) : 'hold';
      this.apply(RULES.overcapacity, v.zone_id, verdict, t, lv.cooldown_seconds, out, (fire) => ({
        ...src,
        type: 'OVERCAPACITY',
        severity: rs.overcapacity.severity,
        zoneId: v.zone_id,
        value: round(occ.mean(0)),
        threshold: fire ? lv.fire_above : lv.resolve_below,
        message: `zone ${v.zone_id} (${v.zone_name}) occupancy ${round(occ.mean(0))} % over ${rs.overcapacity.window_seconds} s ${fire ? `above ${lv.fire_above} %` : `back below ${lv.resolve_below} %`}`,
      }));
    }
    if (rs.stuck_sensor.enabled) {
      const s = this.stuck.get(v.sensor_id);
      const same = s !== undefined && s.speed === v.speed_kmh && s.occ === v.occupancy_pct;
      const run = same ? s.run + 1 : 1;
      this.stuck.set(v.sensor_id, { speed: v.speed_kmh, occ: v.occupancy_pct, run });
      const verdict: Verdict =
        run >= rs.stuck_sensor.readings ? 'breach' : run === 1 ? 'clear' : 'hold';
      this.apply(
        RULES.stuckSensor,
        v.sensor_id,
        verdict,
        t,
        rs.stuck_sensor.cooldown_seconds,
        out,
        (fire) => ({
          ...src,
          type: 'DATA_QUALITY',
          severity: rs.stuck_sensor.severity,
          zoneId: v.zone_id,
          value: fire ? run : null,
          threshold: rs.stuck_sensor.readings,
          message: fire
            ? `sensor ${v.sensor_id} (zone ${v.zone_id}) stuck at ${v.speed_kmh} km/h, ${v.occupancy_pct} % for ${run} readings`
            : `sensor ${v.sensor_id} (zone ${v.zone_id}) values change again`,
        }),
      );
    }
    if (rs.anomaly.enabled) {
      const a = rs.anomaly;
      const z = this.baselines.score(v.sensor_id, t, v.speed_kmh);
      const verdict = this.anomalyRuns.verdict(v.sensor_id, z, {
        fireZ: a.fire_z,
        resolveZ: a.resolve_z,
        consecutive: a.consecutive,
      });
      this.apply(RULES.anomaly, v.sensor_id, verdict, t, a.cooldown_seconds, out, (fire) => ({
        ...src,
        type: 'ANOMALY',
        severity: a.severity,
        zoneId: v.zone_id,
        value: z === undefined ? null : round(z),
        threshold: fire ? a.fire_z : a.resolve_z,
        message: fire
          ? `sensor ${v.sensor_id} (zone ${v.zone_id}) speed ${v.speed_kmh} km/h is ${round(Math.abs(z ?? 0))} spreads from its baseline for this hour, ${a.consecutive} readings in a row`
          : `sensor ${v.sensor_id} (zone ${v.zone_id}) speed back within ${a.resolve_z} spreads of its baseline`,
      }));
    }
  }

  private congestion(
    v: TrafficReadingNormalized,
    zone: SlidingWindow,
    src: { sourceTopic: string; sourceEventId: string; eventTime: number },
    out: Alert[],
  ): void {
    const rs = this.rules;
    const lv = levelsFor(rs.severe_congestion, v.zone_id);
    const speed = zone.mean(0);
    const verdict =
      zone.count >= rs.severe_congestion.min_readings ? belowVerdict(speed, lv) : 'hold';
    const t = src.eventTime;
    const facts = (fire: boolean): AlertFacts => ({
      ...src,
      type: 'SEVERE_CONGESTION',
      severity: rs.severe_congestion.severity,
      zoneId: v.zone_id,
      value: round(speed),
      threshold: fire ? lv.fire_below : lv.resolve_above,
      message: `zone ${v.zone_id} (${v.zone_name}) average speed ${round(speed)} km/h over ${rs.severe_congestion.window_seconds} s ${fire ? `below ${lv.fire_below} km/h` : `back above ${lv.resolve_above} km/h`}`,
    });
    if (verdict === 'breach') {
      if (this.episodes.openEpisode(RULES.correlated, v.zone_id)) return;
      if (this.episodes.openEpisode(RULES.severeCongestion, v.zone_id)) return;
      const incident = rs.correlation.enabled ? this.openIncidentNear(v.zone_id, t) : undefined;
      if (incident) {
        this.apply(RULES.correlated, v.zone_id, 'breach', t, lv.cooldown_seconds, out, () =>
          this.correlatedFacts(facts(true), incident),
        );
        return;
      }
    }
    this.apply(RULES.severeCongestion, v.zone_id, verdict, t, lv.cooldown_seconds, out, facts);
    if (verdict === 'clear') {
      this.apply(RULES.correlated, v.zone_id, 'clear', t, lv.cooldown_seconds, out, (fire) =>
        this.correlatedFacts(facts(fire), undefined),
      );
    }
  }

  private correlatedFacts(congestion: AlertFacts, incident: OpenIncident | undefined): AlertFacts {
    return {
      ...congestion,
      type: 'CORRELATED',
      severity: this.rules.correlation.severity,
      relatedId: incident?.id ?? null,
      message: incident
        ? `${congestion.message}, with open incident ${incident.id} (${incident.type}, ${incident.severity}) in the zone`
        : congestion.message,
    };
  }

  /** An open incident of the zone whose event time is within the correlation bound of `t`. */
  private openIncidentNear(zoneId: string, t: number): OpenIncident | undefined {
    const c = this.rules.correlation;
    const open = this.openIncidents.get(zoneId);
    if (!open) return undefined;
    let best: OpenIncident | undefined;
    for (const i of open.values()) {
      if (t - i.at > c.incident_open_seconds * 1000) {
        open.delete(i.id); // never resolved: no longer counts as open
        continue;
      }
      if (Math.abs(t - i.at) <= c.within_seconds * 1000 && (!best || i.at > best.at)) best = i;
    }
    return best;
  }

  private zoneWindow(zoneId: string): SlidingWindow {
    let w = this.zones.get(zoneId);
    if (!w) {
      w = new SlidingWindow(this.rules.severe_congestion.window_seconds * 1000, 2);
      this.zones.set(zoneId, w);
    }
    return w;
  }

  /** Occupancy has a window of its own length (it may differ from congestion's). */
  private zoneOccupancy(zoneId: string, t: number, occ: number): SlidingWindow {
    let w = this.zoneOcc.get(zoneId);
    if (!w) {
      w = new SlidingWindow(this.rules.overcapacity.window_seconds * 1000, 1);
      this.zoneOcc.set(zoneId, w);
    }
    w.add(t, [occ]);
    return w;
  }

  /** Sensors with no reading for `intervals` reporting intervals of the stream's event time. */
  private sweepSilentSensors(out: Alert[]): void {
    if (this.trafficClock - this.lastPrune >= FORGET_AFTER_MS / 24) {
      this.lastPrune = this.trafficClock;
      this.episodes.prune(this.trafficClock - FORGET_AFTER_MS);
    }
    const s = this.rules.silent_sensor;
    if (!s.enabled || this.trafficClock - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = this.trafficClock;
    const silentMs = s.reporting_interval_seconds * s.intervals * 1000;
    // the lateness slack keeps a sensor on a partition that is merely behind from looking silent
    const now = this.trafficClock - this.latenessMs;
    for (const [sensor, seen] of this.sensorClock) {
      if (now - seen <= silentMs) continue;
      const at = seen + silentMs;
      const zoneId = this.sensorZone.get(sensor) ?? null;
      this.apply(RULES.silentSensor, sensor, 'breach', at, s.cooldown_seconds, out, () => ({
        type: 'DATA_QUALITY',
        severity: s.severity,
        zoneId,
        value: round((now - seen) / 1000),
        threshold: silentMs / 1000,
        eventTime: at,
        sourceTopic: null,
        sourceEventId: null,
        message: `sensor ${sensor}${zoneId ? ` (zone ${zoneId})` : ''} silent for more than ${s.intervals} reporting intervals (${silentMs / 1000} s)`,
      }));
    }
  }

  // --- transport: crowded vehicles ----------------------------------------------------------------

  transport(readings: readonly Reading<TransportVehicleStatusNormalized>[]): Alert[] {
    const out: Alert[] = [];
    const rule = this.rules.crowded_vehicle;
    for (const r of readings) {
      const v = r.value;
      const newest = this.vehicleClock.get(v.vehicle_id) ?? Number.NEGATIVE_INFINITY;
      if (v.event_time < newest - this.latenessMs) {
        this.hooks.late?.(r.topic);
        continue;
      }
      this.vehicleClock.set(v.vehicle_id, Math.max(newest, v.event_time));
      if (!rule.enabled) continue;
      const lv = levelsFor(rule, v.line_id);
      const verdict = aboveVerdict(v.occupancy_pct, lv);
      this.apply(
        RULES.crowdedVehicle,
        v.vehicle_id,
        verdict,
        v.event_time,
        lv.cooldown_seconds,
        out,
        (fire) => ({
          type: 'CROWDED_VEHICLE',
          severity: rule.severity,
          zoneId: v.zone_id,
          value: round(v.occupancy_pct),
          threshold: fire ? lv.fire_above : lv.resolve_below,
          eventTime: v.event_time,
          sourceTopic: r.topic,
          sourceEventId: v.event_id,
          message: `${v.vehicle_type.toLowerCase()} ${v.vehicle_id} of line ${v.line_id} (${v.line_name}) ${round(v.occupancy_pct)} % full, ${fire ? `above ${lv.fire_above} %` : `back below ${lv.resolve_below} %`}`,
        }),
      );
    }
    this.countForDlqRate('transport', readings, 0, out);
    return out;
  }

  // --- incidents: critical at once, and the other side of the correlation --------------------------

  incidents(readings: readonly Reading<IncidentNormalized>[]): Alert[] {
    const out: Alert[] = [];
    const rule = this.rules.critical_incident;
    for (const r of readings) {
      const v = r.value;
      const t = v.event_time;
      let zone = this.openIncidents.get(v.zone_id);
      if (!zone) this.openIncidents.set(v.zone_id, (zone = new Map<string, OpenIncident>()));
      const resolved = v.status === 'RESOLVED';
      // an incident never resolved stops counting as open after incident_open_seconds
      for (const i of zone.values())
        if (t - i.at > this.rules.correlation.incident_open_seconds * 1000) zone.delete(i.id);
      if (resolved) zone.delete(v.incident_id);
      else {
        const known = zone.get(v.incident_id);
        zone.set(v.incident_id, {
          id: v.incident_id,
          at: known ? Math.min(known.at, t) : t,
          type: v.incident_type,
          severity: v.severity,
        });
      }
      const src = { eventTime: t, sourceTopic: r.topic, sourceEventId: v.event_id };
      if (rule.enabled) {
        const critical = !resolved && (rule.severities as string[]).includes(v.severity);
        this.apply(
          RULES.criticalIncident,
          v.incident_id,
          critical ? 'breach' : 'clear',
          t,
          0,
          out,
          (fire) => ({
            ...src,
            type: 'CRITICAL_INCIDENT',
            severity: rule.severity,
            zoneId: v.zone_id,
            value: null,
            threshold: null,
            message: fire
              ? `${v.severity} ${v.incident_type.toLowerCase()} incident ${v.incident_id} in zone ${v.zone_id} (${v.zone_name})${v.description ? `: ${v.description}` : ''}`
              : `incident ${v.incident_id} in zone ${v.zone_id} ${resolved ? 'resolved' : `downgraded to ${v.severity}`}`,
          }),
        );
      }
      // congestion already announced in the zone, within the bound: join it with this incident
      const congestion = this.episodes.openEpisode(RULES.severeCongestion, v.zone_id);
      const c = this.rules.correlation;
      if (
        !resolved &&
        c.enabled &&
        congestion &&
        Math.abs(t - congestion.firedAt) <= c.within_seconds * 1000
      ) {
        const incident = zone.get(v.incident_id)!;
        const window = this.zones.get(v.zone_id);
        const speed = window ? round(window.mean(0)) : null;
        this.apply(
          RULES.correlated,
          v.zone_id,
          'breach',
          Math.max(t, congestion.firedAt),
          this.rules.severe_congestion.cooldown_seconds,
          out,
          () =>
            this.correlatedFacts(
              {
                ...src,
                eventTime: Math.max(t, congestion.firedAt),
                type: 'SEVERE_CONGESTION',
                severity: this.rules.severe_congestion.severity,
                zoneId: v.zone_id,
                value: speed,
                threshold: levelsFor(this.rules.severe_congestion, v.zone_id).fire_below,
                message: `zone ${v.zone_id} (${v.zone_name}) severely congested (average ${speed ?? '?'} km/h) since ${new Date(congestion.firedAt).toISOString()}`,
              },
              incident,
            ),
        );
      }
    }
    this.countForDlqRate('incidents', readings, 0, out);
    return out;
  }

  // --- DLQ rate ---------------------------------------------------------------------------------------

  /** Records of a source's DLQ, by their record timestamps. */
  deadLetters(source: DlqSource, timestamps: readonly number[], topic: string): Alert[] {
    const out: Alert[] = [];
    this.countForDlqRate(
      source,
      timestamps.map((timestamp) => ({ timestamp, topic, value: undefined })),
      1,
      out,
    );
    return out;
  }

  private countForDlqRate(
    source: DlqSource,
    records: readonly { timestamp: number; topic: string }[],
    hit: 0 | 1,
    out: Alert[],
  ): void {
    const rule = this.rules.dlq_rate;
    if (!rule.enabled || records.length === 0) return;
    let w = this.dlqWindows.get(source);
    if (!w) this.dlqWindows.set(source, (w = new RateWindow(rule.window_seconds * 1000)));
    let newest = Number.NEGATIVE_INFINITY;
    for (const r of records) {
      w.add(r.timestamp, hit, 1);
      if (r.timestamp > newest) newest = r.timestamp;
    }
    const { hits, total } = w.totals();
    const lv = levelsFor(rule, source);
    const ratio = total > 0 ? hits / total : 0;
    const verdict = total >= rule.min_records ? aboveVerdict(ratio, lv) : 'hold';
    this.apply(RULES.dlqRate, source, verdict, newest, lv.cooldown_seconds, out, (fire) => ({
      type: 'DATA_QUALITY',
      severity: rule.severity,
      zoneId: null,
      value: round(ratio * 10_000) / 10_000,
      threshold: fire ? lv.fire_above : lv.resolve_below,
      eventTime: newest,
      sourceTopic: records[records.length - 1].topic,
      sourceEventId: null,
      message: `${source}: ${hits} of ${total} records (${round(ratio * 100)} %) went to the DLQ over ${rule.window_seconds} s, ${fire ? `above ${lv.fire_above * 100} %` : `back below ${lv.resolve_below * 100} %`}`,
    }));
  }

  // --- the one place a verdict becomes an alert ---------------------------------------------------

  private apply(
    rule: RuleId,
    subjectId: string,
    verdict: Verdict,
    eventTime: number,
    cooldownSeconds: number,
    out: Alert[],
    facts: (fire: boolean) => AlertFacts,
  ): void {
    const tr = this.episodes.observe(rule, subjectId, verdict, eventTime, {
      cooldownMs: cooldownSeconds * 1000,
    });
    if (tr) out.push(toAlert(tr, facts(tr.kind === 'fire')));
  }
}

function toAlert(tr: Transition, f: AlertFacts): Alert {
  const status = tr.kind === 'fire' ? 'FIRING' : 'RESOLVED';
  return {
    event_id: `${tr.episode.alertId}|${status}`,
    event_time: f.eventTime,
    alert_id: tr.episode.alertId,
    alert_type: f.type,
    severity: f.severity,
    status,
    rule: tr.episode.rule,
    subject_id: tr.episode.subjectId,
    zone_id: f.zoneId,
    message: tr.kind === 'fire' ? f.message : `resolved: ${f.message}`,
    value: f.value,
    threshold: f.threshold,
    source_topic: f.sourceTopic,
    source_event_id: f.sourceEventId,
    fired_at: tr.episode.firedAt,
    related_id: f.relatedId ?? null,
  };
}
