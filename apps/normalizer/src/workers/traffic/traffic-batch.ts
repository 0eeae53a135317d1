import type { TrafficReadingNormalized, TrafficReadingRaw } from '@citypulse/contracts';
import type { DedupCache } from '../../dedup/dedup-cache';
import type { SensorDirectory } from '../../reference/sensor-directory';
import { normalizeTraffic, type TrafficRejectReason } from './traffic-normalizer';

export interface TrafficBatchOutcome<R> {
  /** normalized readings to produce, keyed by canonical sensor id, in input order */
  accepted: { key: string; value: TrafficReadingNormalized; source: R }[];
  rejected: { source: R; reason: TrafficRejectReason; message: string }[];
  /** records dropped because their event id was already seen (earlier, or in this batch) */
  duplicates: R[];
}

/**
 * One batch of raw readings through dedup and normalization. It only decides; the caller
 * produces the accepted ones and then calls `remember` — ids enter the dedup cache only after
 * their records are safely out, so a retried batch is never mistaken for duplicates of itself.
 */
export class TrafficBatchProcessor {
  constructor(
    private readonly directory: SensorDirectory,
    private readonly dedup: DedupCache,
  ) {}

  process<R>(
    items: readonly { value: TrafficReadingRaw; source: R }[],
    now: number,
  ): TrafficBatchOutcome<R> {
    const out: TrafficBatchOutcome<R> = { accepted: [], rejected: [], duplicates: [] };
    const inBatch = new Set<string>();
    for (const { value, source } of items) {
      const id = value.event_id.trim();
      if (inBatch.has(id) || this.dedup.has(id, now)) {
        out.duplicates.push(source);
        continue;
      }
      const result = normalizeTraffic(value, this.directory, now);
      if (result.ok) {
        inBatch.add(id);
        out.accepted.push({ key: result.value.sensor_id, value: result.value, source });
      } else {
        out.rejected.push({ source, reason: result.reason, message: result.message });
      }
    }
    return out;
  }

  /** Marks the accepted ids as seen, once they were produced. */
  remember(outcome: TrafficBatchOutcome<unknown>, now: number): void {
    this.dedup.addAll(
      outcome.accepted.map((a) => a.value.event_id),
      now,
    );
  }
}
