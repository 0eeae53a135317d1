import type { CityDefinition } from '@citypulse/postgres';
import { FaultInjector, type FaultOptions, type GeneratedRecord } from '../faults/fault-injector';
import { ReadingSequence } from '../simulation/reading-sequence';

export interface GenerationOptions {
  seed: string | number;
  city: CityDefinition;
  /** event time of the first clean reading, epoch millis */
  startTime: number;
  /** each sensor's reporting interval, simulated ms */
  intervalMs: number;
  faults?: Partial<FaultOptions>;
  jamChancePerMinute?: number;
}

/** The clean sequence with its fault injector: what a run sends, record by record. */
export function createInjector(options: GenerationOptions): FaultInjector {
  const readings = new ReadingSequence({
    seed: options.seed,
    city: options.city,
    startTime: options.startTime,
    intervalMs: options.intervalMs,
    ...(options.jamChancePerMinute !== undefined && {
      jamChancePerMinute: options.jamChancePerMinute,
    }),
  });
  return new FaultInjector(readings, options.seed, options.faults ?? {});
}

/**
 * Exactly the records a run bounded to `count` events sends with the same options, in the same
 * order (pacing never changes what is generated). For tests that compute expected results
 * independently of the pipeline.
 */
export function* generateRecords(
  options: GenerationOptions,
  count: number,
): Generator<GeneratedRecord> {
  const injector = createInjector(options);
  for (let sent = 0; sent < count; sent++) yield injector.next(count - sent);
}
