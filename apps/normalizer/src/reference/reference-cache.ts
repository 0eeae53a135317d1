import type { Pool } from 'pg';

/** One load of a stream's reference data, with a line for the log ("12 zones, 44 sensors"). */
export interface LoadedReference<T> {
  data: T;
  summary: string;
}

/** How a stream gets its reference data from PostgreSQL; the runtime caches and refreshes it. */
export interface ReferenceLoader<T> {
  load(pool: Pool): Promise<LoadedReference<T>>;
}

export interface ReferenceCacheOptions {
  /** reload this often; 0 = only at start and on demand */
  refreshIntervalMs: number;
  logger?: { log(message: string): void; warn(message: string): void };
  /** after every load attempt (a metric by outcome) */
  onRefresh?: (ok: boolean) => void;
  clock?: () => number;
}

/**
 * A stream's reference data held in memory: loaded at start (throws when it cannot), reloaded
 * every `refreshIntervalMs` and on demand. A failed reload keeps the previous snapshot, so
 * lookups go on answering from the last good data; concurrent reloads share one load.
 */
export class ReferenceCache<T> {
  private snapshot: { data: T; loadedAt: number } | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly clock: () => number;

  constructor(
    private readonly load: () => Promise<LoadedReference<T>>,
    private readonly options: ReferenceCacheOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async start(): Promise<void> {
    await this.refresh();
    const every = this.options.refreshIntervalMs;
    if (every > 0 && !this.timer) {
      this.timer = setInterval(() => {
        this.refresh().catch(() => undefined); // logged and counted inside
      }, every);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The last snapshot that loaded. */
  get current(): T {
    if (!this.snapshot) throw new Error('reference data used before it was loaded (start())');
    return this.snapshot.data;
  }

  /** When the current snapshot was loaded (epoch ms), undefined before the first load. */
  get loadedAt(): number | undefined {
    return this.snapshot?.loadedAt;
  }

  /** Reloads now; rejects when the load fails (the previous snapshot stays). */
  refresh(): Promise<void> {
    this.inFlight ??= this.reload().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Reloads unless the last attempt (successful or not) is younger than `minAgeMs`, so a stream
   * of unknown ids — or a database that is down — costs at most one load per `minAgeMs`.
   * Resolves true when a new snapshot is in place; never rejects.
   */
  async refreshIfOlderThan(minAgeMs: number): Promise<boolean> {
    if (!this.inFlight && this.clock() - this.lastAttemptAt < minAgeMs) return false;
    try {
      await this.refresh();
      return true;
    } catch {
      return false;
    }
  }

  private async reload(): Promise<void> {
    this.lastAttemptAt = this.clock();
    try {
      const { data, summary } = await this.load();
      const first = this.snapshot === undefined;
      this.snapshot = { data, loadedAt: this.clock() };
      this.options.onRefresh?.(true);
      if (first) this.options.logger?.log(`reference data: ${summary}`);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.options.logger?.warn(
        `reference data reload failed${this.snapshot ? ', keeping the previous snapshot' : ''}: ${error.message}`,
      );
      this.options.onRefresh?.(false);
      throw error;
    }
  }
}
