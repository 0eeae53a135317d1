/**
 * Paces a run at a target rate without drifting: it compares what was sent with what should
 * have been sent by now and says how many may go at once and how long to wait otherwise.
 */
export class Pacer {
  private readonly startedAt: number;

  constructor(
    private readonly rate: number,
    private readonly maxBatch: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  /** How many records may be sent now (0 = wait `waitMs()`), at most maxBatch. */
  allowance(sent: number): number {
    if (this.rate === Infinity) return this.maxBatch;
    const due = Math.floor(((this.now() - this.startedAt) / 1000) * this.rate) + 1;
    return Math.max(0, Math.min(this.maxBatch, due - sent));
  }

  /** Milliseconds until the next record is due. */
  waitMs(sent: number): number {
    if (this.rate === Infinity) return 0;
    const dueAt = this.startedAt + (sent / this.rate) * 1000;
    return Math.max(0, dueAt - this.now());
  }
}

/**
 * Paces a run by the simulated clock: a record is due once the wall time since the start,
 * times the speed-up, has reached its event time. Bursts in the simulation stay bursts on the
 * wire; the average rate is speedup x records per simulated second.
 */
export class ClockPacer {
  private readonly startedAt: number;

  constructor(
    private readonly speedup: number,
    private readonly simStart: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(speedup > 0 && Number.isFinite(speedup))) throw new RangeError('speedup must be > 0');
    this.startedAt = now();
  }

  /** The simulated time the clock has reached. */
  simNow(): number {
    return this.simStart + (this.now() - this.startedAt) * this.speedup;
  }

  /** Whether a record with this event time may be sent now. */
  due(eventTime: number): boolean {
    return eventTime <= this.simNow();
  }

  /** Wall milliseconds until a record with this event time is due. */
  waitMs(eventTime: number): number {
    if (eventTime === Infinity) return Infinity;
    return Math.max(0, (eventTime - this.simStart) / this.speedup - (this.now() - this.startedAt));
  }
}
