/**
 * The readings of one subject over the last `windowMs` of its event time, with running sums, so
 * evaluating after every reading costs O(1) amortised. Readings arrive mostly in order; an
 * out-of-order one (within the lateness bound the caller enforces) is inserted at its place.
 */
export class SlidingWindow {
  // The readings as two flat Float64Arrays, [head, tail) live: times[i] and values[i * width + k].
  // At 10,000 readings/s a 60 s window holds 600,000 readings; as an array of arrays that was
  // some 60 bytes each and most of the service's 550-640 MB RSS, flat it is 8 * (1 + width).
  private times = new Float64Array(64);
  private values: Float64Array;
  private head = 0;
  private tail = 0;
  private readonly sums: number[];
  private newest = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly width: number,
  ) {
    this.sums = new Array<number>(width).fill(0);
    this.values = new Float64Array(64 * width);
  }

  /** Newest event time seen. */
  get clock(): number {
    return this.newest;
  }

  get count(): number {
    return this.tail - this.head;
  }

  add(t: number, values: number[]): void {
    const w = this.width;
    if (this.tail === this.times.length) this.makeRoom();
    let i = this.tail;
    while (i > this.head && this.times[i - 1] > t) i--;
    if (i < this.tail) {
      this.times.copyWithin(i + 1, i, this.tail);
      this.values.copyWithin((i + 1) * w, i * w, this.tail * w);
    }
    this.times[i] = t;
    for (let k = 0; k < w; k++) this.values[i * w + k] = values[k];
    this.tail++;
    for (let k = 0; k < w; k++) this.sums[k] += values[k];
    if (t > this.newest) this.newest = t;
    this.evict();
  }

  /** Mean of value `k` over the window. */
  mean(k: number): number {
    return this.count === 0 ? Number.NaN : this.sums[k] / this.count;
  }

  private evict(): void {
    const from = this.newest - this.windowMs;
    const w = this.width;
    while (this.head < this.tail && this.times[this.head] <= from) {
      for (let k = 0; k < w; k++) this.sums[k] -= this.values[this.head * w + k];
      this.head++;
    }
  }

  /** Full at the end: slide the live readings to the front if that frees half, else grow. */
  private makeRoom(): void {
    const live = this.tail - this.head;
    const w = this.width;
    if (live * 2 <= this.times.length) {
      this.times.copyWithin(0, this.head, this.tail);
      this.values.copyWithin(0, this.head * w, this.tail * w);
    } else {
      const times = new Float64Array(this.times.length * 2);
      const values = new Float64Array(times.length * w);
      times.set(this.times.subarray(this.head, this.tail));
      values.set(this.values.subarray(this.head * w, this.tail * w));
      this.times = times;
      this.values = values;
    }
    this.head = 0;
    this.tail = live;
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
