import type { StreamName, ValueOf } from '@citypulse/contracts';
import type { WorkerName } from '../config/normalizer.config';
import type { ReferenceLoader } from '../reference/reference-cache';

/** The verdict on one raw record: its normalized form, or a stable reason to refuse it. */
export type NormalizeResult<Out, Reason extends string> =
  { ok: true; value: Out } | { ok: false; reason: Reason; message: string };

/**
 * What is a stream's own — everything else (consuming in batches, dedup, reference refresh,
 * producing, the DLQ, metrics) is the worker runtime's. The topics come from the contracts:
 * `raw` is consumed, `normalized` produced (keyed by the contract's key fields).
 */
export interface StreamDefinition<
  R extends StreamName,
  N extends StreamName,
  Ref,
  Reason extends string,
> {
  /** the NORMALIZER_WORKER value that selects it, and the `worker` label of its metrics */
  readonly name: WorkerName;
  readonly raw: R;
  readonly normalized: N;
  /** the reference data `normalize` reads, loaded from PostgreSQL, cached and refreshed */
  readonly reference: ReferenceLoader<Ref>;
  /** every reason `normalize` can give (the DLQ message starts with it; a metric label) */
  readonly rejectReasons: readonly Reason[];
  /**
   * Reasons a newer reference snapshot might turn into an accept (an id added since the last
   * refresh): a batch with one of them reloads the reference data once before deciding.
   */
  readonly referenceMisses: readonly Reason[];
  /** Pure: validates, canonicalizes and enriches one record against a reference snapshot. */
  readonly normalize: (
    raw: ValueOf<R>,
    reference: Ref,
    now: number,
  ) => NormalizeResult<ValueOf<N>, Reason>;
}
