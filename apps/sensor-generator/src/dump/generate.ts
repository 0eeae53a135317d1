import type { TrafficReadingRaw } from '@citypulse/contracts';
import type { CityDefinition } from '@citypulse/postgres';
import { FaultInjector, type FaultOptions } from '@citypulse/simulation';
import { IncidentTimeline } from '../incidents/incident-timeline';
import type { Scenario } from '../scenario/scenario';
import { ReadingSequence } from '../traffic/reading-sequence';
import {
  TRAFFIC_FAULTS,
  type GeneratedRecord,
  type MalformedVariant,
} from '../traffic/traffic-faults';

/** Mean incidents per zone per simulated day unless told otherwise. */
export const DEFAULT_INCIDENTS_PER_ZONE_PER_DAY = 2;

export interface GenerationOptions {
  seed: string | number;
  city: CityDefinition;
  /** event time of the first clean record, epoch millis */
  startTime: number;
  /** each sensor's (and vehicle's) reporting interval, simulated ms */
  intervalMs: number;
  faults?: Partial<FaultOptions>;
  jamChancePerMinute?: number;
  /** mean incidents per zone per simulated day (default 2; 0 = none); traffic slows under them */
  incidentsPerZonePerDay?: number;
  /** jams, crowded lines and incidents forced at chosen times (scenario/scenario.ts) */
  scenario?: Scenario;
}

/** The city's incidents for a run: the same for every stream of it, from the seed. */
export function incidentTimeline(options: GenerationOptions): IncidentTimeline {
  return new IncidentTimeline(options.seed, options.city, {
    startTime: options.startTime,
    perZonePerDay: options.incidentsPerZonePerDay ?? DEFAULT_INCIDENTS_PER_ZONE_PER_DAY,
    ...(options.scenario?.incidents && { forced: options.scenario.incidents }),
  });
}

/** The clean traffic readings with their fault injector: what a traffic run sends, in order. */
export function createInjector(
  options: GenerationOptions,
  incidents: IncidentTimeline = incidentTimeline(options),
): FaultInjector<TrafficReadingRaw, MalformedVariant> {
  const readings = new ReadingSequence({
    seed: options.seed,
    city: options.city,
    startTime: options.startTime,
    intervalMs: options.intervalMs,
    incidents,
    ...(options.scenario && { scenario: options.scenario }),
    ...(options.jamChancePerMinute !== undefined && {
      jamChancePerMinute: options.jamChancePerMinute,
    }),
  });
  return new FaultInjector(readings, options.seed, options.faults ?? {}, TRAFFIC_FAULTS);
}

/**
 * Exactly the traffic records a run of the traffic stream alone bounded to `count` events sends
 * with the same options, in the same order (pacing never changes what is generated). For tests
 * that compute expected results independently of the pipeline. Every stream at once:
 * generateCityRecords.
 */
export function* generateRecords(
  options: GenerationOptions,
  count: number,
): Generator<GeneratedRecord> {
  const injector = createInjector(options);
  for (let sent = 0; sent < count; sent++) yield injector.next(count - sent);
}
