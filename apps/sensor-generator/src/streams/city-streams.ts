import type { StreamName } from '@citypulse/contracts';
import {
  FaultInjector,
  StreamMux,
  type FaultKind,
  type RecordSource,
  type Tagged,
} from '@citypulse/simulation';
import { createInjector, incidentTimeline, type GenerationOptions } from '../dump/generate';
import {
  INCIDENT_FAULTS,
  INCIDENT_NUMERIC_FIELDS,
  type IncidentRecord,
} from '../incidents/incident-faults';
import { IncidentSequence } from '../incidents/incident-sequence';
import { TRAFFIC_NUMERIC_FIELDS, type GeneratedRecord } from '../traffic/traffic-faults';
import {
  TRANSPORT_FAULTS,
  TRANSPORT_NUMERIC_FIELDS,
  type TransportRecord,
} from '../transport/transport-faults';
import { VehicleSequence } from '../transport/vehicle-sequence';

/** The streams the generator can produce, in the order a run takes them on ties. */
export const GENERATOR_STREAMS = ['traffic', 'transport', 'incidents'] as const;
export type GeneratorStream = (typeof GENERATOR_STREAMS)[number];

/** The contract (topic, schema, key) of each stream, from libs/contracts. */
export const STREAM_CONTRACTS = {
  traffic: 'trafficRaw',
  transport: 'transportRaw',
  incidents: 'incidentsRaw',
} as const satisfies Record<GeneratorStream, StreamName>;

/** A record of a run of several streams: the stream's record with its stream's name on it. */
export type CityRecord =
  | Tagged<'traffic', GeneratedRecord>
  | Tagged<'transport', TransportRecord>
  | Tagged<'incidents', IncidentRecord>;

export interface CityGenerationOptions extends GenerationOptions {
  /** the streams to produce (default all three); the world simulated is the same either way */
  streams?: readonly GeneratorStream[];
}

/** A run's records over every chosen stream, and the faults injected per stream. */
export interface CityInjector extends RecordSource<CityRecord> {
  injectedByStream(): Partial<Record<GeneratorStream, ReadonlyMap<FaultKind, number>>>;
}

/**
 * The simulated city's streams merged into one run, in event-time order: traffic readings,
 * transport vehicle statuses and incident reports, all from one world (the incidents that are
 * reported are the ones traffic and transport react to). Each stream has its own faults, drawn
 * from its own PRNG, so leaving a stream out never changes the clean records of the others.
 */
export function createCityInjector(options: CityGenerationOptions): CityInjector {
  const streams = options.streams ?? GENERATOR_STREAMS;
  if (streams.length === 0) throw new RangeError('choose at least one stream');
  const incidents = incidentTimeline(options);
  const faults = options.faults ?? {};
  const parts = GENERATOR_STREAMS.filter((s) => streams.includes(s)).map((stream) => {
    switch (stream) {
      case 'traffic':
        return { stream, injector: createInjector(options, incidents) };
      case 'transport':
        return {
          stream,
          injector: new FaultInjector(
            new VehicleSequence({
              seed: options.seed,
              city: options.city,
              startTime: options.startTime,
              intervalMs: options.intervalMs,
              incidents,
              ...(options.scenario && { scenario: options.scenario }),
            }),
            options.seed,
            faults,
            TRANSPORT_FAULTS,
          ),
        };
      case 'incidents':
        return {
          stream,
          injector: new FaultInjector(
            new IncidentSequence(incidents, options.city),
            options.seed,
            faults,
            INCIDENT_FAULTS,
          ),
        };
    }
  });
  return new StreamMux<GeneratorStream>(parts) as unknown as CityInjector;
}

/**
 * Exactly the records a run of these streams bounded to `count` events sends, in order, each
 * with its `stream`. With `streams: ['traffic']` they are generateRecords' records, tagged.
 */
export function* generateCityRecords(
  options: CityGenerationOptions,
  count: number,
): Generator<CityRecord> {
  const injector = createCityInjector(options);
  for (let sent = 0; sent < count; sent++) yield injector.next(count - sent);
}

/** The number fields of each stream's values (a dump writes NaN as "NaN"). */
export const NUMERIC_FIELDS: Record<GeneratorStream, readonly string[]> = {
  traffic: TRAFFIC_NUMERIC_FIELDS,
  transport: TRANSPORT_NUMERIC_FIELDS,
  incidents: INCIDENT_NUMERIC_FIELDS,
};

/** Periodic reporters (sensors, vehicles) and sporadic records per second of a run's streams. */
export function runLoad(options: CityGenerationOptions): {
  reporters: number;
  sporadicPerSecond: number;
} {
  const streams = options.streams ?? GENERATOR_STREAMS;
  const vehicles = options.city.lines.reduce((n, l) => n + l.vehicles, 0);
  return {
    reporters:
      (streams.includes('traffic') ? options.city.sensors.length : 0) +
      (streams.includes('transport') ? vehicles : 0),
    sporadicPerSecond: streams.includes('incidents')
      ? incidentTimeline(options).expectedEventsPerSecond()
      : 0,
  };
}
