/**
 * The readings of one subject over the last `windowMs` of its event time, with running sums, so
 * evaluating after every reading costs O(1) amortised. Readings arrive mostly in order; an
 * out-of-order one (within the lateness bound the caller enforces) is inserted at its place.
 */
export class SlidingWindow {
  private readonly times: number[] = [];
  private readonly values: number[][] = [];
  private head = 0;
  private readonly sums: number[];
  private newest = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly width: number,
  ) {
    this.sums = new Array<number>(width).fill(0);
  }

  /** Newest event time seen. */
  get clock(): number {
    return this.newest;
  }

  get count(): number {
    return this.times.length - this.head;
  }

  add(t: number, values: number[]): void {
    let i = this.times.length;
    while (i > this.head && this.times[i - 1] > t) i--;
    if (i === this.times.length) {
      this.times.push(t);
      this.values.push(values);
    } else {
      this.times.splice(i, 0, t);
      this.values.splice(i, 0, values);
    }
    for (let k = 0; k < this.width; k++) this.sums[k] += values[k];
    if (t > this.newest) this.newest = t;
    this.evict();
  }

  /** Mean of value `k` over the window. */
  mean(k: number): number {
    return this.count === 0 ? Number.NaN : this.sums[k] / this.count;
  }

  private evict(): void {
    const from = this.newest - this.windowMs;
    while (this.head < this.times.length && this.times[this.head] <= from) {
      const v = this.values[this.head];
      for (let k = 0; k < this.width; k++) this.sums[k] -= v[k];
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.values.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Counts per second of record timestamp over a window: numerator and total (DLQ rate). */
export class RateWindow {
  private readonly seconds = new Map<number, { hits: number; total: number }>();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly windowMs: number) {}

  get clock(): number {
    return this.newest;
  }

  add(t: number, hits: number, total: number): void {
    const s = Math.floor(t / 1000);
    const c = this.seconds.get(s);
    if (c) {
      c.hits += hits;
      c.total += total;
    } else this.seconds.set(s, { hits, total });
    if (t > this.newest) this.newest = t;
    const oldest = Math.floor((this.newest - this.windowMs) / 1000);
    for (const k of this.seconds.keys()) if (k <= oldest) this.seconds.delete(k);
  }

  totals(): { hits: number; total: number } {
    let hits = 0;
    let total = 0;
    for (const c of this.seconds.values()) {
      hits += c.hits;
      total += c.total;
    }
    return { hits, total };
  }
}
