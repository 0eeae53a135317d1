import { readFileSync } from 'node:fs';
import type { IncidentType, Severity } from '@citypulse/contracts';
import type { CityDefinition } from '@citypulse/postgres';

/**
 * Events forced into the simulated city at chosen event times, on top of what the models draw:
 * for a demo, a drill, or a test that needs an alert to happen (a jam in a zone, a crowded line,
 * a critical incident). Every stream sees the same world: a forced incident slows its zone's
 * traffic and delays the vehicles there, as a drawn one does. Times are event time, epoch ms,
 * each span is [from, until).
 */
export interface Scenario {
  jams?: readonly ForcedJam[];
  crowding?: readonly ForcedCrowding[];
  incidents?: readonly ForcedIncident[];
}

/** Every sensor of the zone in a jam: its speed times `speedFactor` (on top of the model's). */
export interface ForcedJam {
  zoneId: string;
  from: number;
  until: number;
  /** default DEFAULT_JAM_SPEED_FACTOR: a standstill, below any congestion threshold */
  speedFactor?: number;
}

/** Every vehicle of the line carries `load` of its capacity. */
export interface ForcedCrowding {
  lineId: string;
  from: number;
  until: number;
  /** share of the capacity on board, 0-1 (default DEFAULT_CROWDED_LOAD) */
  load?: number;
}

/** An incident reported at `from` and resolved at `until`, one severity throughout. */
export interface ForcedIncident {
  zoneId: string;
  from: number;
  until: number;
  severity: Exclude<Severity, 'UNKNOWN'>;
  type?: Exclude<IncidentType, 'UNKNOWN'>;
}

export const DEFAULT_JAM_SPEED_FACTOR = 0.05;
export const DEFAULT_CROWDED_LOAD = 0.97;
/** No incident lasts longer (the incident timeline looks back this far for open ones). */
const MAX_INCIDENT_MS = 3 * 3_600_000 - 60_000;
const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const TYPES = [
  'ACCIDENT',
  'BREAKDOWN',
  'ROADWORK',
  'CONGESTION',
  'PUBLIC_EVENT',
  'SIGNAL_FAILURE',
  'FIRE',
  'FLOODING',
  'OTHER',
];

/** The forced jam of a zone at a time, if any. */
export function forcedJam(s: Scenario | undefined, zoneId: string, t: number) {
  return s?.jams?.find((j) => j.zoneId === zoneId && j.from <= t && t < j.until);
}

/** The forced load of a line's vehicles at a time, if any. */
export function forcedLoad(s: Scenario | undefined, lineId: string, t: number): number | undefined {
  const c = s?.crowding?.find((x) => x.lineId === lineId && x.from <= t && t < x.until);
  return c && (c.load ?? DEFAULT_CROWDED_LOAD);
}

/** One line for the run's log: `jam Z03 +120s..+420s, crowded L2 ..., CRITICAL incident Z03 ...`. */
export function describeScenario(s: Scenario): string {
  const span = (x: { from: number; until: number }) =>
    `${new Date(x.from).toISOString()}..${new Date(x.until).toISOString()}`;
  return [
    ...(s.jams ?? []).map((j) => `jam ${j.zoneId} ${span(j)}`),
    ...(s.crowding ?? []).map((c) => `crowded ${c.lineId} ${span(c)}`),
    ...(s.incidents ?? []).map((i) => `${i.severity} incident ${i.zoneId} ${span(i)}`),
  ].join(', ');
}

/** Every problem of a scenario against the city (unknown zones and lines, empty spans...). */
export function scenarioProblems(s: Scenario, city: CityDefinition): string[] {
  const zones = new Set(city.zones.map((z) => z.id));
  const lines = new Set(city.lines.map((l) => l.id));
  const out: string[] = [];
  const span = (where: string, x: { from: number; until: number }) => {
    if (!Number.isFinite(x.from) || !Number.isFinite(x.until) || !(x.from < x.until))
      out.push(`${where}: needs from < until`);
  };
  s.jams?.forEach((j, i) => {
    const where = `jams[${i}]`;
    if (!zones.has(j.zoneId)) out.push(`${where}: unknown zone ${j.zoneId}`);
    span(where, j);
    if (j.speedFactor !== undefined && !(j.speedFactor > 0 && j.speedFactor <= 1))
      out.push(`${where}: speed factor must be in (0, 1]`);
  });
  s.crowding?.forEach((c, i) => {
    const where = `crowding[${i}]`;
    if (!lines.has(c.lineId)) out.push(`${where}: unknown line ${c.lineId}`);
    span(where, c);
    if (c.load !== undefined && !(c.load >= 0 && c.load <= 1))
      out.push(`${where}: load must be in [0, 1]`);
  });
  s.incidents?.forEach((inc, i) => {
    const where = `incidents[${i}]`;
    if (!zones.has(inc.zoneId)) out.push(`${where}: unknown zone ${inc.zoneId}`);
    span(where, inc);
    if (inc.until - inc.from > MAX_INCIDENT_MS)
      out.push(`${where}: lasts more than ${MAX_INCIDENT_MS / 60_000} minutes`);
    if (!SEVERITIES.includes(inc.severity))
      out.push(`${where}: severity must be one of ${SEVERITIES.join(', ')}`);
    if (inc.type !== undefined && !TYPES.includes(inc.type))
      out.push(`${where}: type must be one of ${TYPES.join(', ')}`);
  });
  return out;
}

/** A scenario file: spans in seconds after the run's start (see the README). */
interface ScenarioFile {
  jams?: { zone: string; at_s: number; for_s: number; speed_factor?: number }[];
  crowding?: { line: string; at_s: number; for_s: number; load?: number }[];
  incidents?: {
    zone: string;
    at_s: number;
    for_s: number;
    severity: ForcedIncident['severity'];
    type?: ForcedIncident['type'];
  }[];
}

/**
 * Reads a scenario file (JSON: spans as `at_s` / `for_s` seconds after `startTime`) and checks it
 * against the city; throws one error listing every problem.
 */
export function loadScenario(path: string, city: CityDefinition, startTime: number): Scenario {
  let raw: ScenarioFile;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as ScenarioFile;
  } catch (err) {
    throw new Error(`scenario ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const unknownKeys = Object.keys(raw ?? {}).filter(
    (k) => !['jams', 'crowding', 'incidents'].includes(k),
  );
  const at = (x: { at_s: number; for_s: number }) => ({
    from: startTime + Number(x.at_s) * 1000,
    until: startTime + (Number(x.at_s) + Number(x.for_s)) * 1000,
  });
  const s: Scenario = {
    jams: (raw.jams ?? []).map((j) => ({
      zoneId: j.zone,
      ...at(j),
      ...(j.speed_factor !== undefined && { speedFactor: j.speed_factor }),
    })),
    crowding: (raw.crowding ?? []).map((c) => ({
      lineId: c.line,
      ...at(c),
      ...(c.load !== undefined && { load: c.load }),
    })),
    incidents: (raw.incidents ?? []).map((i) => ({
      zoneId: i.zone,
      ...at(i),
      severity: i.severity,
      ...(i.type !== undefined && { type: i.type }),
    })),
  };
  const problems = [
    ...unknownKeys.map((k) => `unknown key ${k} (jams, crowding, incidents)`),
    ...scenarioProblems(s, city),
  ];
  if (problems.length > 0) throw new Error(`scenario ${path}:\n  ${problems.join('\n  ')}`);
  return s;
}
