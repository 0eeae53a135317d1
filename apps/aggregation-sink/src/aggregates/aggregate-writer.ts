import { TransientError } from '@citypulse/kafka';
import type { MongoAggregatesStore } from '../stores/mongo-aggregates.store';
import type { PgAggregatesStore } from '../stores/pg-aggregates.store';
import type { WriteResult } from '../stores/write-result';
import { newestPerKey } from './upsert-decision';
import type { MobilityWindow, TrafficWindow, Versioned } from './windows';

export type StoreName = 'postgres' | 'mongodb';
export type AggregateKind = 'traffic' | 'mobility';

export interface WriteReport {
  kind: AggregateKind;
  /** updates received, and distinct keys after collapsing to the newest per key */
  received: number;
  distinct: number;
  postgres: WriteResult;
  mongodb: WriteResult;
}

export interface WriterObserver {
  stored?(report: WriteReport): void;
  failed?(store: StoreName, kind: AggregateKind, error: unknown): void;
  durationSeconds?(store: StoreName, kind: AggregateKind, seconds: number): void;
}

/**
 * Writes a batch of window updates to both stores. The writes are conditional upserts, so a batch
 * may be written any number of times with the same outcome; when either store fails the whole
 * batch fails with a retriable error (after both attempts have settled), the consumer retries it
 * with backoff and commits nothing until both stores hold it.
 */
export class AggregateWriter {
  constructor(
    private readonly pg: PgAggregatesStore,
    private readonly mongo: MongoAggregatesStore,
    private readonly observer: WriterObserver = {},
  ) {}

  writeTraffic(windows: readonly TrafficWindow[]): Promise<WriteReport> {
    return this.write('traffic', windows, {
      postgres: (w) => this.pg.upsertTraffic(w),
      mongodb: (w) => this.mongo.upsertTraffic(w),
    });
  }

  writeMobility(windows: readonly MobilityWindow[]): Promise<WriteReport> {
    return this.write('mobility', windows, {
      postgres: (w) => this.pg.upsertMobility(w),
      mongodb: (w) => this.mongo.upsertMobility(w),
    });
  }

  private async write<T extends Versioned>(
    kind: AggregateKind,
    windows: readonly T[],
    stores: Record<StoreName, (w: T[]) => Promise<WriteResult>>,
  ): Promise<WriteReport> {
    const distinct = newestPerKey(windows);
    const timed = async (store: StoreName): Promise<WriteResult> => {
      const started = process.hrtime.bigint();
      try {
        return await stores[store](distinct);
      } catch (err) {
        this.observer.failed?.(store, kind, err);
        throw err;
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.observer.durationSeconds?.(store, kind, seconds);
      }
    };
    const [pg, mongo] = await Promise.allSettled([timed('postgres'), timed('mongodb')]);
    if (pg.status === 'rejected' || mongo.status === 'rejected') {
      const failed = [
        pg.status === 'rejected' ? pg : undefined,
        mongo.status === 'rejected' ? mongo : undefined,
      ];
      const names: StoreName[] = ['postgres', 'mongodb'];
      const parts = failed.flatMap((f, i) => (f ? [`${names[i]}: ${describe(f.reason)}`] : []));
      throw new TransientError(
        `writing ${distinct.length} ${kind} windows failed (${parts.join('; ')})`,
        {
          code: 'SINK_UNAVAILABLE',
          cause: failed.find((f) => f)?.reason,
        },
      );
    }
    const report: WriteReport = {
      kind,
      received: windows.length,
      distinct: distinct.length,
      postgres: pg.value,
      mongodb: mongo.value,
    };
    this.observer.stored?.(report);
    return report;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
