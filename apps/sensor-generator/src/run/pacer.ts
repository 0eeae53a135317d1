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
