import type { Metrics } from '@citypulse/observability';

/** The worker's own counters, each labelled with the worker's name. */
export interface WorkerMetrics<Reason extends string = string> {
  normalized(count: number): void;
  duplicates(count: number): void;
  rejected(reason: Reason): void;
  referenceRefresh(ok: boolean): void;
}

export function workerMetrics(metrics: Metrics, worker: string): WorkerMetrics {
  const normalized = metrics.counter(
    'normalizer_records_normalized_total',
    'Readings validated, normalized and produced, per worker.',
    ['worker'],
  );
  const duplicates = metrics.counter(
    'normalizer_duplicates_dropped_total',
    'Records dropped because their event id was seen before (in-memory TTL cache).',
    ['worker'],
  );
  const rejected = metrics.counter(
    'normalizer_records_rejected_total',
    'Records sent to the DLQ by the worker, by reason.',
    ['worker', 'reason'],
  );
  const refreshes = metrics.counter(
    'normalizer_reference_refreshes_total',
    'Reloads of the reference data from PostgreSQL, by outcome.',
    ['outcome'],
  );
  return {
    normalized: (n) => normalized.inc({ worker }, n),
    duplicates: (n) => duplicates.inc({ worker }, n),
    rejected: (reason) => rejected.inc({ worker, reason }),
    referenceRefresh: (ok) => refreshes.inc({ outcome: ok ? 'ok' : 'failed' }),
  };
}
