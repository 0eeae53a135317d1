import { contractOf, type StreamName, type ValueOf } from '@citypulse/contracts';
import type { DedupCache } from '../dedup/dedup-cache';
import { checkNoNul, type RuntimeRejectReason } from './checks';
import type { StreamDefinition } from './stream-definition';

/** A record of the batch: its decoded value and whatever the caller needs back (the Kafka record). */
export interface BatchItem<In, S> {
  value: In;
  source: S;
}

export interface Accepted<Out, S> {
  /** the event id the dedup cache remembers once the record is produced */
  eventId: string;
  /** the normalized contract's key of the value */
  key: string;
  value: Out;
  source: S;
}

export interface Rejected<Reason extends string, S> {
  source: S;
  reason: Reason;
  message: string;
}

export interface BatchOutcome<Out, Reason extends string, S> {
  /** normalized records to produce, in input order */
  accepted: Accepted<Out, S>[];
  /** the stream's reasons, and the runtime's own for every stream (checks.ts checkNoNul) */
  rejected: Rejected<Reason | RuntimeRejectReason, S>[];
  /** records dropped because their event id was already seen (earlier, or in this batch) */
  duplicates: S[];
}

/**
 * One batch of raw records through dedup and the stream's normalize function. It only decides;
 * the caller produces the accepted ones and then calls `remember` — ids enter the dedup cache only
 * after their records are safely out, so a retried batch is never mistaken for duplicates of
 * itself. A rejected id is not remembered: its duplicate is judged (and rejected) again.
 */
export class BatchDecider<R extends StreamName, N extends StreamName, Ref, Reason extends string> {
  private readonly keyOf: (value: ValueOf<N>) => string;

  constructor(
    private readonly stream: StreamDefinition<R, N, Ref, Reason>,
    private readonly dedup: DedupCache,
  ) {
    const normalized = contractOf(stream.normalized);
    this.keyOf = (value) => normalized.key(value);
  }

  decide<S>(
    items: readonly BatchItem<ValueOf<R>, S>[],
    reference: Ref,
    now: number,
  ): BatchOutcome<ValueOf<N>, Reason, S> {
    const out: BatchOutcome<ValueOf<N>, Reason, S> = { accepted: [], rejected: [], duplicates: [] };
    const inBatch = new Set<string>();
    for (const { value, source } of items) {
      const eventId = value.event_id.trim();
      if (inBatch.has(eventId) || this.dedup.has(eventId, now)) {
        out.duplicates.push(source);
        continue;
      }
      const result = checkNoNul(value) ?? this.stream.normalize(value, reference, now);
      if (result.ok) {
        inBatch.add(eventId);
        out.accepted.push({ eventId, key: this.keyOf(result.value), value: result.value, source });
      } else {
        out.rejected.push({ source, reason: result.reason, message: result.message });
      }
    }
    return out;
  }

  /** Marks the accepted ids as seen, once they were produced. */
  remember(outcome: BatchOutcome<unknown, string, unknown>, now: number): void {
    this.dedup.addAll(
      outcome.accepted.map((a) => a.eventId),
      now,
    );
  }
}
