import type { TrafficZoneAggregate5m, ValueOf } from '@citypulse/contracts';
import { TransientError } from '@citypulse/kafka';
import { isDataError } from '@citypulse/postgres';
import type { MongoAggregatesStore } from '../stores/mongo-aggregates.store';
import type { PgAggregatesStore } from '../stores/pg-aggregates.store';
import type { WriteResult } from '../stores/write-result';
import type { AggregateSpec, AggregateStream } from './aggregate-spec';
import { TRAFFIC } from './specs';
import { newestPerKey } from './upsert-decision';
import type { AggregateWindow } from './windows';

export type StoreName = 'postgres' | 'mongodb';
/** The `kind` label of the sink's metrics: the aggregate's name (its spec's `name`). */
export type AggregateKind = string;

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
  /** the windows of a batch both stores now hold (newest update per key; the city gauges) */
  written?(spec: AggregateSpec, windows: readonly AggregateWindow<unknown>[]): void;
  failed?(store: StoreName, kind: AggregateKind, error: unknown): void;
  durationSeconds?(store: StoreName, kind: AggregateKind, seconds: number): void;
}

/**
 * PostgreSQL refused the batch over its data (isDataError: SQLSTATE class 22 or 23), which it
 * would do on every retry. Not retriable: the consumer writes the batch one window at a time and
 * sends the windows refused alone to the DLQ. What records reach the writer are checked first
 * (windows.ts problemsOf), so this is the net for what those checks do not foresee.
 */
export class StoreRefusedError extends Error {
  override readonly name = 'StoreRefusedError';
}

/**
 * Writes a batch of window updates of one aggregate to both stores. The writes are conditional
 * upserts, so a batch may be written any number of times with the same outcome; when either store
 * fails the whole batch fails with a retriable error (after both attempts have settled), the
 * consumer retries it with backoff and commits nothing until both stores hold it. The exception is
 * PostgreSQL refusing the data itself: StoreRefusedError.
 */
export class AggregateWriter {
  constructor(
    private readonly pg: PgAggregatesStore,
    private readonly mongo: MongoAggregatesStore,
    private readonly observer: WriterObserver = {},
  ) {}

  async write<S extends AggregateStream>(
    spec: AggregateSpec<S>,
    windows: readonly AggregateWindow<ValueOf<S>>[],
  ): Promise<WriteReport> {
    const kind = spec.name;
    const distinct = newestPerKey(windows);
    const stores: Record<StoreName, () => Promise<WriteResult>> = {
      postgres: () => this.pg.upsert(spec, distinct),
      mongodb: () => this.mongo.upsert(spec, distinct),
    };
    const timed = async (store: StoreName): Promise<WriteResult> => {
      const started = process.hrtime.bigint();
      try {
        return await stores[store]();
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
      if (pg.status === 'rejected' && isDataError(pg.reason)) {
        throw new StoreRefusedError(
          `PostgreSQL refused ${distinct.length} ${kind} windows (${parts.join('; ')})`,
          { cause: pg.reason },
        );
      }
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
    this.observer.written?.(spec, distinct);
    return report;
  }

  /** `write(TRAFFIC, windows)`, under the name bench/sink-scaling.bench.js calls. */
  writeTraffic(windows: readonly AggregateWindow<TrafficZoneAggregate5m>[]): Promise<WriteReport> {
    return this.write(TRAFFIC, windows);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
