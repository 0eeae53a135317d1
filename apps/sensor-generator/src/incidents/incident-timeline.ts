import { IncidentStatus, IncidentType, Severity } from '@citypulse/contracts';
import type { CityDefinition, CityZone, ZoneKind } from '@citypulse/postgres';
import { Prng } from '@citypulse/simulation';
import { offsetKm, zoneCentres, type LatLon } from '../city/geography';
import type { ForcedIncident } from '../scenario/scenario';
import { demandRatio } from '../traffic/traffic-model';

/** What the other models ask of the city's incidents. */
export interface IncidentImpact {
  /** How hard open incidents press on a zone at a time: 0 (none) to 1. */
  pressureAt(zoneId: string, eventTime: number): number;
}

export type IncidentStep = {
  time: number;
  status: Exclude<IncidentStatus, 'UNKNOWN'>;
  severity: Exclude<Severity, 'UNKNOWN'>;
  eventId: string;
};

/** One incident from report to resolution. */
export interface Incident {
  /** `INC-<zone>-<yyyymmddhh of its start>-<n>` */
  id: string;
  zoneId: string;
  type: Exclude<IncidentType, 'UNKNOWN'>;
  /** when it was reported (its first step), epoch ms */
  start: number;
  /** when it was resolved (its last step); open in [start, end) */
  end: number;
  /** REPORTED, then one to three UPDATED, then RESOLVED, at increasing times */
  steps: IncidentStep[];
  /** where it is, or null when the report gives no position */
  position: LatLon | null;
}

type Sev = Exclude<Severity, 'UNKNOWN'>;
type Kind = Exclude<IncidentType, 'UNKNOWN'>;

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** No incident lasts longer: an incident open at t started in t's hour or one of the 3 before. */
export const MAX_DURATION_MS = 3 * HOUR_MS;

/** The drawn hours of a zone (blocks) kept for the next questions, and their incidents at most. */
const MAX_CACHED_BLOCKS = 4_096;
export const MAX_CACHED_INCIDENTS = 20_000;

export const SEVERITIES: readonly Sev[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** How much an open incident of a severity slows its zone (speed x (1 - pressure)). */
export const SEVERITY_PRESSURE: Record<Severity, number> = {
  UNKNOWN: 0,
  LOW: 0.15,
  MEDIUM: 0.35,
  HIGH: 0.55,
  CRITICAL: 0.75,
};

/** Which incidents each kind of zone sees, as weights. */
const TYPE_WEIGHTS: Record<ZoneKind, Partial<Record<Kind, number>>> = {
  center: {
    ACCIDENT: 20,
    BREAKDOWN: 10,
    ROADWORK: 15,
    CONGESTION: 15,
    PUBLIC_EVENT: 15,
    SIGNAL_FAILURE: 15,
    FIRE: 3,
    FLOODING: 2,
    OTHER: 5,
  },
  residential: {
    ACCIDENT: 15,
    BREAKDOWN: 10,
    ROADWORK: 25,
    CONGESTION: 10,
    PUBLIC_EVENT: 10,
    SIGNAL_FAILURE: 10,
    FIRE: 5,
    FLOODING: 5,
    OTHER: 10,
  },
  industrial: {
    ACCIDENT: 20,
    BREAKDOWN: 20,
    ROADWORK: 20,
    CONGESTION: 10,
    SIGNAL_FAILURE: 10,
    FIRE: 10,
    FLOODING: 5,
    OTHER: 5,
  },
  highway: {
    ACCIDENT: 35,
    BREAKDOWN: 30,
    ROADWORK: 10,
    CONGESTION: 15,
    FIRE: 2,
    FLOODING: 3,
    OTHER: 5,
  },
};

/** Severity weights (LOW, MEDIUM, HIGH, CRITICAL) by type. */
const SEVERITY_WEIGHTS: Record<Kind, [number, number, number, number]> = {
  ACCIDENT: [25, 35, 28, 12],
  BREAKDOWN: [50, 35, 12, 3],
  ROADWORK: [45, 40, 13, 2],
  CONGESTION: [40, 40, 17, 3],
  FLOODING: [15, 35, 35, 15],
  FIRE: [10, 25, 40, 25],
  PUBLIC_EVENT: [40, 40, 17, 3],
  SIGNAL_FAILURE: [35, 45, 17, 3],
  OTHER: [55, 35, 9, 1],
};

/** Duration in minutes by severity (then stretched by type, capped at MAX_DURATION_MS). */
const DURATION_MIN: Record<Sev, [number, number]> = {
  LOW: [10, 40],
  MEDIUM: [20, 70],
  HIGH: [40, 120],
  CRITICAL: [60, 170],
};
const DURATION_FACTOR: Partial<Record<Kind, number>> = {
  ROADWORK: 1.5,
  PUBLIC_EVENT: 1.3,
  CONGESTION: 0.7,
  BREAKDOWN: 0.8,
};

export interface IncidentTimelineOptions {
  /** the simulated world begins here: no incident starts earlier */
  startTime: number;
  /** mean incidents per zone per simulated day (more in the rush hours); 0 = none */
  perZonePerDay: number;
  /** incidents forced at chosen times (scenario/scenario.ts), besides the drawn ones */
  forced?: readonly ForcedIncident[];
}

/**
 * The city's incidents, deterministic from the seed and random-access: the incidents that start
 * in a zone in an hour come from a PRNG derived from (seed, zone, hour), so any model may ask
 * about any time in any order and all of them see the same incidents — traffic slows and
 * transport runs late under exactly the incidents the incident stream reports. Each zone
 * draws a Poisson number of incidents per hour whose mean follows its traffic demand.
 */
export class IncidentTimeline implements IncidentImpact {
  private readonly zones: readonly CityZone[];
  private readonly zoneById: Map<string, CityZone>;
  private readonly centres: Map<string, LatLon>;
  private readonly blocks = new Map<string, Incident[]>();
  private cachedIncidents = 0;
  /** per zone, the incidents that may be open in one hour (the last hour asked about) */
  private readonly candidates = new Map<string, { hour: number; list: Incident[] }>();

  constructor(
    private readonly seed: string | number,
    city: CityDefinition,
    readonly options: IncidentTimelineOptions,
  ) {
    if (!(options.perZonePerDay >= 0))
      throw new RangeError('incidents per zone per day must be >= 0');
    this.zones = city.zones;
    this.zoneById = new Map(city.zones.map((z) => [z.id, z]));
    this.centres = zoneCentres(city);
  }

  get startTime(): number {
    return this.options.startTime;
  }

  /** Incident reports per simulated second on average (for the run's timing). */
  expectedEventsPerSecond(): number {
    return (this.zones.length * this.options.perZonePerDay * meanStepsPerIncident()) / 86_400;
  }

  /** The incidents of a zone that start in an hour (hour = floor(epoch ms / 1 h)), by start. */
  startingIn(zoneId: string, hour: number): readonly Incident[] {
    const key = `${zoneId}/${hour}`;
    let list = this.blocks.get(key);
    if (!list) {
      const zone = this.zoneById.get(zoneId);
      if (!zone) throw new Error(`unknown zone ${zoneId}`);
      list = this.draw(zone, hour);
      // Results never depend on what is cached: drop the oldest half now and then. Bounded by
      // incidents too, not only blocks: at 1,000 incidents per zone and day 4,096 blocks held
      // ~170,000 incidents, and the generator grew past 600 MB (a run needs zones x 4 blocks).
      if (
        this.blocks.size >= MAX_CACHED_BLOCKS ||
        this.cachedIncidents + list.length > MAX_CACHED_INCIDENTS
      ) {
        let n = Math.ceil(this.blocks.size / 2);
        for (const [k, old] of this.blocks) {
          if (n-- <= 0) break;
          this.blocks.delete(k);
          this.cachedIncidents -= old.length;
        }
      }
      this.blocks.set(key, list);
      this.cachedIncidents += list.length;
    }
    return list;
  }

  /** Incidents open in a zone at a time: reported at or before it, not yet resolved. */
  openAt(zoneId: string, t: number): Incident[] {
    return this.mayBeOpen(zoneId, t).filter((inc) => inc.start <= t && t < inc.end);
  }

  pressureAt(zoneId: string, t: number): number {
    let free = 1;
    for (const inc of this.mayBeOpen(zoneId, t)) {
      if (inc.start <= t && t < inc.end) free *= 1 - SEVERITY_PRESSURE[severityAt(inc, t)];
    }
    return 1 - free;
  }

  /** The incidents of a zone that start in t's hour or in one of the 3 before it. */
  private mayBeOpen(zoneId: string, t: number): Incident[] {
    const hour = Math.floor(t / HOUR_MS);
    const cached = this.candidates.get(zoneId);
    if (cached?.hour === hour) return cached.list;
    const list: Incident[] = [];
    for (let h = hour - MAX_DURATION_MS / HOUR_MS; h <= hour; h++) {
      list.push(...this.startingIn(zoneId, h));
    }
    this.candidates.set(zoneId, { hour, list });
    return list;
  }

  get zoneIds(): string[] {
    return this.zones.map((z) => z.id);
  }

  private draw(zone: CityZone, hour: number): Incident[] {
    const drawn = this.drawRandom(zone, hour);
    const forced = this.forcedIn(zone, hour);
    return forced.length === 0 ? drawn : [...drawn, ...forced].sort((a, b) => a.start - b.start);
  }

  /** The scenario's incidents of a zone that start in an hour: reported, then resolved. */
  private forcedIn(zone: CityZone, hour: number): Incident[] {
    const from = hour * HOUR_MS;
    const stamp = new Date(from).toISOString().slice(0, 13).replace(/[-T]/g, '');
    return (this.options.forced ?? [])
      .filter((f) => f.zoneId === zone.id && Math.floor(f.from / HOUR_MS) === hour)
      .filter((f) => f.from >= this.options.startTime)
      .map((f, k) => {
        const rng = Prng.derive(this.seed, `incidents/forced/${zone.id}/${f.from}`);
        const step = (time: number, status: 'REPORTED' | 'RESOLVED'): IncidentStep => ({
          time,
          status,
          severity: f.severity,
          eventId: rng.uuid(),
        });
        return {
          id: `INC-${zone.id}-${stamp}-F${k + 1}`,
          zoneId: zone.id,
          type: f.type ?? 'ACCIDENT',
          start: f.from,
          end: f.until,
          steps: [step(f.from, 'REPORTED'), step(f.until, 'RESOLVED')],
          position: this.centres.get(zone.id)!,
        };
      });
  }

  private drawRandom(zone: CityZone, hour: number): Incident[] {
    const { perZonePerDay, startTime } = this.options;
    if (perZonePerDay <= 0) return [];
    const rng = Prng.derive(this.seed, `incidents/${zone.id}/${hour}`);
    const from = hour * HOUR_MS;
    const mean = (perZonePerDay / 24) * hourFactor(zone.kind, from + HOUR_MS / 2);
    const starts = Array.from({ length: poisson(rng, mean) }, () =>
      Math.floor(from + rng.uniform(0, HOUR_MS)),
    ).sort((a, b) => a - b);
    const stamp = new Date(from).toISOString().slice(0, 13).replace(/[-T]/g, '');
    // Every incident of the block is drawn, then those before the world's start dropped, so a
    // later start never changes the incidents it keeps.
    return starts
      .map((start, k) =>
        drawIncident(
          rng,
          `INC-${zone.id}-${stamp}-${k + 1}`,
          zone,
          start,
          this.centres.get(zone.id)!,
        ),
      )
      .filter((inc) => inc.start >= startTime);
  }
}

/** The severity an incident has at a time (its latest step at or before it). */
export function severityAt(inc: Incident, t: number): Sev {
  let sev = inc.steps[0].severity;
  for (const s of inc.steps) {
    if (s.time > t) break;
    sev = s.severity;
  }
  return sev;
}

/** One incident's type, severity, duration, updates and position, from the block's PRNG. */
function drawIncident(
  rng: Prng,
  id: string,
  zone: CityZone,
  start: number,
  centre: LatLon,
): Incident {
  const type = weighted(rng, Object.entries(TYPE_WEIGHTS[zone.kind]) as [Kind, number][]);
  let severity = weighted(
    rng,
    SEVERITIES.map((s, i): [Sev, number] => [s, SEVERITY_WEIGHTS[type][i]]),
  );
  const [lo, hi] = DURATION_MIN[severity];
  const durationMs = Math.min(
    MAX_DURATION_MS - MINUTE_MS,
    Math.round(rng.uniform(lo, hi) * (DURATION_FACTOR[type] ?? 1) * MINUTE_MS),
  );
  const end = start + durationMs;
  const updates =
    1 +
    (durationMs > 45 * MINUTE_MS ? 1 : 0) +
    (severity === 'HIGH' || severity === 'CRITICAL' ? 1 : 0);
  const steps: IncidentStep[] = [
    { time: start, status: 'REPORTED', severity, eventId: rng.uuid() },
  ];
  const slot = durationMs / (updates + 1);
  for (let u = 1; u <= updates; u++) {
    const time = Math.round(start + slot * u + rng.uniform(-0.3, 0.3) * slot);
    const r = rng.next();
    const i = SEVERITIES.indexOf(severity);
    if (r < 0.25) severity = SEVERITIES[Math.min(3, i + 1)];
    else if (r < 0.55) severity = SEVERITIES[Math.max(0, i - 1)];
    steps.push({ time, status: 'UPDATED', severity, eventId: rng.uuid() });
  }
  steps.push({ time: end, status: 'RESOLVED', severity, eventId: rng.uuid() });
  const position = rng.chance(0.9)
    ? offsetKm(centre, rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8))
    : null;
  return { id, zoneId: zone.id, type, start, end, steps, position };
}

function weighted<T>(rng: Prng, options: readonly [T, number][]): T {
  const total = options.reduce((s, [, w]) => s + w, 0);
  let r = rng.uniform(0, total);
  for (const [v, w] of options) if ((r -= w) < 0) return v;
  return options[options.length - 1][0];
}

/** Knuth's method: fine for the small means of one zone and hour. */
function poisson(rng: Prng, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

const meanDemand = new Map<ZoneKind, number>();

/** Incidents follow traffic: the hour's demand against the zone kind's weekly mean, never 0. */
function hourFactor(kind: ZoneKind, t: number): number {
  let mean = meanDemand.get(kind);
  if (mean === undefined) {
    let sum = 0;
    const monday = Date.UTC(2024, 0, 8);
    for (let q = 0; q < 7 * 96; q++) sum += demandRatio(kind, monday + q * 15 * MINUTE_MS);
    mean = sum / (7 * 96);
    meanDemand.set(kind, mean);
  }
  return 0.3 + (0.7 * demandRatio(kind, t)) / mean;
}

let meanSteps: number | undefined;

/** Reports per incident on average (REPORTED, its updates, RESOLVED), measured once. */
export function meanStepsPerIncident(): number {
  if (meanSteps === undefined) {
    const rng = new Prng('incident-steps');
    const zone: CityZone = {
      id: 'Z',
      name: 'Z',
      kind: 'center',
      speed_limit_kmh: 50,
      capacity: 1,
      lanes: 1,
    };
    let steps = 0;
    const n = 2_000;
    for (let i = 0; i < n; i++)
      steps += drawIncident(rng, 'x', zone, 0, { lat: 0, lon: 0 }).steps.length;
    meanSteps = steps / n;
  }
  return meanSteps;
}
