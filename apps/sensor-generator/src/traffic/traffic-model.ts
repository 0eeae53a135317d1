import type { CitySensor, CityZone, ZoneKind } from '@citypulse/postgres';
import { Prng } from '@citypulse/simulation';
import type { IncidentImpact } from '../incidents/incident-timeline';
import { DEFAULT_JAM_SPEED_FACTOR, forcedJam, type Scenario } from '../scenario/scenario';

/** What a sensor measured over one reporting interval, always in km/h (units are applied later). */
export interface Measurement {
  speedKmh: number;
  vehicleCount: number;
  occupancyPct: number;
  /** true while the sensor's zone is jammed (for the dump and for tests, never sent) */
  jammed: boolean;
  /** how hard open incidents in the zone press on traffic, 0 (none) to 1 (for tests, never sent) */
  incidentPressure: number;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

function gaussianBump(hour: number, centre: number, width: number): number {
  return Math.exp(-((hour - centre) ** 2) / (2 * width * width));
}

/** How strongly each kind of zone feels the morning and evening rush, and its daytime base load. */
const KIND_PROFILE: Record<
  ZoneKind,
  { base: number; morning: number; evening: number; midday: number }
> = {
  center: { base: 0.45, morning: 0.4, evening: 0.45, midday: 0.15 },
  residential: { base: 0.3, morning: 0.55, evening: 0.4, midday: 0.05 },
  industrial: { base: 0.35, morning: 0.5, evening: 0.35, midday: 0.0 },
  highway: { base: 0.4, morning: 0.6, evening: 0.6, midday: 0.05 },
};

/**
 * Demand as a share of road capacity (volume / capacity) at a time of day: low at night, a base
 * load by day, rush hours 7-9 and 17-19 (peaks at 8 and 18), weaker on weekends. UTC is the
 * simulated city's local time.
 */
export function demandRatio(kind: ZoneKind, eventTime: number): number {
  const hour = (((eventTime % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const weekday = new Date(eventTime).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  const p = KIND_PROFILE[kind];
  // Night trough around 3-4 am, daytime plateau from 6 to 22.
  const daylight = 1 / (1 + Math.exp(-(hour - 6) * 1.5)) - 1 / (1 + Math.exp(-(hour - 22.5) * 1.2));
  const night = 0.06;
  const rush = weekend
    ? 0.25 * gaussianBump(hour, 13, 2.5)
    : p.morning * gaussianBump(hour, 8, 0.75) + p.evening * gaussianBump(hour, 18, 0.8);
  const midday = p.midday * gaussianBump(hour, 12.5, 1.5);
  return night + daylight * (weekend ? p.base * 0.7 : p.base) + rush + midday;
}

/** True when the simulated clock is in a rush hour (7-9 or 17-19 on weekdays). */
export function isRushHour(eventTime: number): boolean {
  const hour = Math.floor((((eventTime % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
  const weekday = new Date(eventTime).getUTCDay();
  return weekday !== 0 && weekday !== 6 && ((hour >= 7 && hour < 9) || (hour >= 17 && hour < 19));
}

/**
 * How deep in a rush hour the simulated clock is: 1 at the weekday peaks (8:00, 18:00), falling
 * off over the hour around them, 0 at night and on weekends.
 */
export function rushIntensity(eventTime: number): number {
  const hour = (((eventTime % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const weekday = new Date(eventTime).getUTCDay();
  if (weekday === 0 || weekday === 6) return 0;
  return Math.max(gaussianBump(hour, 8, 0.75), gaussianBump(hour, 18, 0.8));
}

interface JamState {
  /** last whole simulated minute the jam dice were rolled for */
  lastMinute: number;
  /** jam ends at this event time (ms); 0 when there is no jam */
  until: number;
  /** speed multiplier while jammed, 0.1-0.35 */
  severity: number;
}

interface SensorState {
  /** persistent per-sensor bias: some roads run a little faster than the limit, some slower */
  speedBias: number;
  /** AR(1) noise so consecutive readings of one sensor are correlated, as real ones are */
  noise: number;
}

export interface TrafficModelOptions {
  /** chance per zone per simulated minute of a jam starting at full demand (default 0.004) */
  jamChancePerMinute?: number;
  /** the city's incidents: traffic slows in a zone while one is open there */
  incidents?: IncidentImpact;
  /** jams forced at chosen times, on top of the drawn ones */
  scenario?: Scenario;
}

/**
 * The physics of the simulated city, deterministic for a seed: flow follows demand; speed falls
 * with volume/capacity (BPR curve), collapses during a jam and drops while an incident is open in
 * the zone (by its severity); occupancy follows density. Each zone rolls for a jam once per
 * simulated minute, more likely in the rush hours.
 */
export class TrafficModel {
  private readonly rng: Prng;
  private readonly jams = new Map<string, JamState>();
  private readonly sensors = new Map<string, SensorState>();
  private readonly jamChance: number;
  private readonly incidents: IncidentImpact | undefined;
  private readonly scenario: Scenario | undefined;

  constructor(seed: string | number, options: TrafficModelOptions = {}) {
    this.rng = Prng.derive(seed, 'traffic');
    this.jamChance = options.jamChancePerMinute ?? 0.004;
    this.incidents = options.incidents;
    this.scenario = options.scenario;
  }

  measure(zone: CityZone, sensor: CitySensor, eventTime: number, intervalMs: number): Measurement {
    const demand = demandRatio(zone.kind, eventTime);
    // the dice are rolled even under a forced jam, so a scenario changes nothing else of the run
    const jam = this.jamState(zone, eventTime, demand);
    const forced = forcedJam(this.scenario, zone.id, eventTime);
    const state = this.sensorState(sensor.id);
    state.noise = 0.8 * state.noise + this.rng.normal(0, 0.05);

    // Volume over capacity for the lanes this sensor covers, with noise.
    const vc = Math.max(0.01, demand * (1 + state.noise));
    const laneCapacityPerHour = (zone.capacity / zone.lanes) * sensor.lanes;
    const jammed = forced !== undefined || jam.until > eventTime;
    // An open incident (a blocked lane, an accident scene) slows the zone by its severity.
    const pressure = this.incidents?.pressureAt(zone.id, eventTime) ?? 0;
    // Queued traffic moves fewer vehicles past the detector.
    const flowFactor = (jammed ? 0.45 : 1) * (1 - 0.5 * pressure);
    const expected = laneCapacityPerHour * Math.min(vc, 1.1) * flowFactor * (intervalMs / HOUR_MS);
    const vehicleCount = Math.max(
      0,
      Math.round(expected + this.rng.normal(0, Math.sqrt(expected + 0.25))),
    );

    const freeFlow = zone.speed_limit_kmh * state.speedBias;
    // Bureau of Public Roads volume-delay curve: speed = free flow / (1 + 0.15 (v/c)^4).
    let speed = freeFlow / (1 + 0.15 * vc ** 4);
    if (jammed) speed *= forced ? (forced.speedFactor ?? DEFAULT_JAM_SPEED_FACTOR) : jam.severity;
    speed *= 1 - pressure;
    speed = Math.max(2, speed + this.rng.normal(0, freeFlow * 0.04 * (1 - pressure)));

    // Occupancy grows with density (flow over speed); about 25 % at capacity, near 100 in a queue.
    let occupancy =
      22 * vc * (freeFlow / speed) * (jammed ? 1.3 : 1) * (1 + 0.3 * pressure) +
      this.rng.normal(0, 1.5);
    occupancy = Math.min(99, Math.max(0, occupancy));

    return {
      speedKmh: round(speed, 1),
      vehicleCount,
      occupancyPct: round(occupancy, 1),
      jammed,
      incidentPressure: pressure,
    };
  }

  private sensorState(id: string): SensorState {
    let s = this.sensors.get(id);
    if (!s) {
      s = { speedBias: this.rng.uniform(0.88, 1.08), noise: 0 };
      this.sensors.set(id, s);
    }
    return s;
  }

  private jamState(zone: CityZone, eventTime: number, demand: number): JamState {
    const minute = Math.floor(eventTime / MINUTE_MS);
    let jam = this.jams.get(zone.id);
    if (!jam) {
      jam = { lastMinute: minute, until: 0, severity: 1 };
      this.jams.set(zone.id, jam);
      return jam;
    }
    // Roll once per elapsed simulated minute (capped, so a long gap costs little).
    const elapsed = Math.min(minute - jam.lastMinute, 60);
    for (let m = 1; m <= elapsed; m++) {
      const at = (jam.lastMinute + m) * MINUTE_MS;
      if (jam.until > at) continue;
      const p = this.jamChance * Math.min(1.5, demand) ** 3 * (isRushHour(at) ? 3 : 1);
      if (this.rng.chance(p)) {
        jam.until = at + this.rng.int(5, 25) * MINUTE_MS;
        jam.severity = this.rng.uniform(0.1, 0.35);
      }
    }
    if (minute > jam.lastMinute) jam.lastMinute = minute;
    return jam;
  }
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
