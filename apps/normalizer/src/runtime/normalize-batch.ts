import type { StreamName, ValueOf } from '@citypulse/contracts';
import type { DedupCache } from '../dedup/dedup-cache';
import { BatchDecider, type BatchItem, type Rejected } from './batch-decision';
import type { RuntimeRejectReason } from './checks';
import type { StreamDefinition } from './stream-definition';
import type { WorkerMetrics } from './worker-metrics';

/** A miss reloads the reference data at most this often (beyond the periodic refresh). */
export const MISS_REFRESH_MIN_AGE_MS = 10_000;

/** Where normalized records go (a libs/kafka TopicProducer fits); resolves once acknowledged. */
export interface NormalizedOutput<Out> {
  send(records: { key: string; value: Out }[]): Promise<void>;
}

/** The reference snapshots the use case reads (the runtime's ReferenceCache fits). */
export interface ReferenceSnapshots<Ref> {
  readonly current: Ref;
  refreshIfOlderThan(minAgeMs: number): Promise<boolean>;
}

export interface NormalizeBatchDeps<
  R extends StreamName,
  N extends StreamName,
  Ref,
  Reason extends string,
> {
  stream: StreamDefinition<R, N, Ref, Reason>;
  /** event ids already produced (per instance, TTL-bounded) */
  dedup: DedupCache;
  reference: ReferenceSnapshots<Ref>;
  output: NormalizedOutput<ValueOf<N>>;
  metrics: WorkerMetrics<Reason | RuntimeRejectReason>;
  clock?: () => number;
}

/**
 * The worker's one use case, knowing nothing of Kafka: decide a batch (dedup, normalize against
 * the current reference snapshot), produce the accepted records, remember their ids, count, and
 * return the rejected ones for the caller to dead-letter.
 *
 * Policy: when a record is refused for a reason a newer snapshot might change (an id added to
 * PostgreSQL since the last refresh), the reference data is reloaded once (at most every 10 s)
 * and the batch decided again, so a new sensor or line is not sent to the DLQ for a minute.
 */
export class NormalizeBatch<
  R extends StreamName,
  N extends StreamName,
  Ref,
  Reason extends string,
> {
  private readonly decider: BatchDecider<R, N, Ref, Reason>;
  private readonly misses: ReadonlySet<string>;
  private readonly clock: () => number;

  constructor(private readonly deps: NormalizeBatchDeps<R, N, Ref, Reason>) {
    this.decider = new BatchDecider(deps.stream, deps.dedup);
    this.misses = new Set<string>(deps.stream.referenceMisses);
    this.clock = deps.clock ?? Date.now;
  }

  async execute<S>(
    items: readonly BatchItem<ValueOf<R>, S>[],
  ): Promise<Rejected<Reason | RuntimeRejectReason, S>[]> {
    const { reference, output, metrics } = this.deps;
    const decider = this.decider;
    let outcome = decider.decide(items, reference.current, this.clock());
    if (
      outcome.rejected.some((r) => this.misses.has(r.reason)) &&
      (await reference.refreshIfOlderThan(MISS_REFRESH_MIN_AGE_MS))
    ) {
      outcome = decider.decide(items, reference.current, this.clock());
    }
    // sent as they are (no copy per record): an Accepted's key and value are what the producer reads;
    // its other fields (eventId, source) are none of OutgoingRecord's (headers, timestamp, partition)
    await output.send(outcome.accepted);
    decider.remember(outcome, this.clock());
    metrics.normalized(outcome.accepted.length);
    metrics.duplicates(outcome.duplicates.length);
    for (const r of outcome.rejected) metrics.rejected(r.reason);
    return outcome.rejected;
  }
}
