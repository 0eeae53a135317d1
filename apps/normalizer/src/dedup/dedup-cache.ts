/**
 * Event ids seen in the last `ttlMs`, at most `maxEntries` of them (oldest evicted first).
 *
 * Limits, by design: the cache lives in one process. A duplicate carries the same key as its
 * original, so it lands on the same partition and, while partition ownership is stable, on the
 * same instance — but after a rebalance or a restart the new owner has not seen the original.
 * A duplicate older than the TTL, or pushed out by `maxEntries` under heavy load, also passes.
 * Downstream, the Spark job drops duplicate event ids within its watermark, so this cache is a
 * cheap first filter, not the guarantee.
 */
export class DedupCache {
  /** id -> expiry; a Map iterates in insertion order, which is expiry order for a fixed TTL */
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {
    if (!(ttlMs > 0) || !(maxEntries > 0)) throw new RangeError('ttlMs and maxEntries must be > 0');
  }

  get size(): number {
    return this.expiries.size;
  }

  has(id: string, now: number): boolean {
    const expiry = this.expiries.get(id);
    return expiry !== undefined && expiry > now;
  }

  /** Remembers ids (after their records were safely produced) and evicts what is too old. */
  addAll(ids: Iterable<string>, now: number): void {
    const expiry = now + this.ttlMs;
    for (const id of ids) {
      // Re-insert so a renewed id moves to the back of the eviction order.
      this.expiries.delete(id);
      this.expiries.set(id, expiry);
    }
    this.evict(now);
  }

  private evict(now: number): void {
    for (const [id, expiry] of this.expiries) {
      if (expiry > now && this.expiries.size <= this.maxEntries) break;
      this.expiries.delete(id);
    }
  }
}
