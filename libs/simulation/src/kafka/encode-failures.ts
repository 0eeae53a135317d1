import type { SimulationMetrics } from '../run/runner';
import type { EncodeFailure, OnEncodeFailure } from './kafka-sink';

/** Where refused records are reported (a Nest Logger fits). */
export interface ErrorLog {
  error(message: string): void;
}

/** After the first refusal of a field on a topic, one line per this many more. */
const LOG_EVERY = 1_000;

/**
 * Counts every record a topic's schema refuses (`encodeFailed` per topic and field) and logs it
 * naming the field and its value: the first of each topic and field, then every 1,000th, so a
 * generator bug shows at once without flooding the log. The record is skipped, the run goes on.
 */
export function reportEncodeFailures(metrics: SimulationMetrics, log: ErrorLog): OnEncodeFailure {
  const seen = new Map<string, number>();
  return (f: EncodeFailure) => {
    const fields = f.fields.length > 0 ? f.fields : [{ path: '(record)', value: undefined }];
    for (const { path } of fields) metrics.encodeFailed(f.topic, path);
    const id = `${f.topic} ${fields.map((x) => x.path).join(',')}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    if (n === 1 || n % LOG_EVERY === 0) {
      const what = fields.map((x) => `${x.path}=${describe(x.value)}`).join(', ');
      log.error(
        `record ${f.seq} (key ${String(f.key)}) does not match the schema of ${f.topic}: ${what}; ` +
          `skipped (${n} so far with this field)`,
      );
    }
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value) ?? String(value);
}
