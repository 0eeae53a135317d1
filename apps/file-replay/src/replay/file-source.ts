import type { EventLike, FaultKind, RecordSource, SimRecord } from '@citypulse/simulation';
import type { RowError } from '../rows/row-error';
import type { ParsedRow } from '../rows/rows';

/** A good row as a run sends it: a clean simulated record (so libs/simulation's sinks take it) with its line. */
export type ReplayedRow<V> = Extract<SimRecord<V>, { kind: 'reading' }> & { line: number };

/** A bad row: for the DLQ, with its line, its original text and why. */
export interface RejectedRow {
  kind: 'rejected';
  seq: number;
  line: number;
  key: string | null;
  text: string;
  error: RowError;
}

export type ReplayRecord<V> = ReplayedRow<V> | RejectedRow;

const NONE: ReadonlyMap<FaultKind, number> = new Map();

/**
 * A file's rows as a run's source (libs/simulation's SimulationRunner paces and bounds it):
 * finite, nothing held back, no faults injected. `nextTime()` is the next good row's event time
 * (a run paced by the clock sends it when that time is due); a bad row is due at once.
 */
export class FileSource<V extends EventLike> implements RecordSource<ReplayRecord<V>> {
  private readonly ahead: ParsedRow<V>[] = [];
  private done = false;
  private seq = 0;
  readonly pendingCount = 0;
  readonly injected = NONE;

  constructor(private readonly rows: Iterator<ParsedRow<V>>) {}

  get exhausted(): boolean {
    return !this.fill(1);
  }

  nextTime(): number {
    if (!this.fill(1)) return Infinity;
    const row = this.ahead[0];
    return row.ok ? row.value.event_time : -Infinity;
  }

  next(): ReplayRecord<V> {
    if (!this.fill(1)) throw new RangeError('the file has no more rows');
    const row = this.ahead.shift()!;
    const seq = this.seq++;
    return row.ok
      ? { kind: 'reading', seq, key: row.key, value: row.value, faults: [], line: row.line }
      : { kind: 'rejected', seq, line: row.line, key: row.key, text: row.text, error: row.error };
  }

  drain(): ReplayRecord<V>[] {
    return [];
  }

  /** The event time of the first good row (read ahead to it), or undefined when there is none. */
  firstEventTime(): number | undefined {
    for (let i = 0; this.fill(i + 1); i++) {
      const row = this.ahead[i];
      if (row.ok) return row.value.event_time;
    }
    return undefined;
  }

  /** Stops reading (closes the file when the run ends before its end). */
  close(): void {
    this.done = true;
    this.rows.return?.();
  }

  private fill(n: number): boolean {
    while (this.ahead.length < n && !this.done) {
      const r = this.rows.next();
      if (r.done) this.done = true;
      else this.ahead.push(r.value);
    }
    return this.ahead.length >= n;
  }
}
