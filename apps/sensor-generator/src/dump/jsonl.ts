import { fromJsonLine as parseLine, toJsonLine } from '@citypulse/simulation';
import { NUMERIC_FIELDS, type CityRecord, type GeneratorStream } from '../streams/city-streams';
import type { GeneratedRecord } from '../traffic/traffic-faults';

export { toJsonLine };

/**
 * The inverse of toJsonLine for the generator's dumps: a record of a run (with its `stream`),
 * or a traffic record without one (generateRecords).
 */
export function fromJsonLine<R extends CityRecord | GeneratedRecord = CityRecord>(line: string): R {
  return parseLine<R>(
    line,
    (r) => NUMERIC_FIELDS[(r.stream as GeneratorStream | undefined) ?? 'traffic'] ?? [],
  );
}
