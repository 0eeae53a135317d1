import { FAULT_KINDS, type EventLike, type FaultKind, type SimRecord } from '../faults/records';
import type { RecordSource } from '../faults/fault-injector';

/** What a merged run needs of a stream's FaultInjector. */
export interface SteppableSource {
  readonly pendingCount: number;
  readonly injected: ReadonlyMap<FaultKind, number>;
  readonly clock: number;
  headReleaseAt(): number | undefined;
  nextTime(): number;
  advanceClock(t: number): void;
  step(remaining?: number): SimRecord<EventLike, string> | undefined;
}

/** One stream of a merged run: its name and the injector over its clean values. */
export interface MuxStream<S extends string> {
  stream: S;
  injector: SteppableSource;
}

/** A record of a merged run: the stream's record, its stream's name, its place in the run. */
export type MuxRecord<S extends string> = SimRecord<EventLike, string> & { stream: S };

/**
 * Several streams of one simulated world merged into one run, in event-time order: each step
 * takes the stream whose next clean value is earliest (ties: the order given), after any held-back
 * record that fell due. The streams share one clock — the newest clean event time of any of
 * them — so "late by 30 min" means 30 simulated minutes of the city, whatever stream it is in.
 * `seq` is renumbered over the merged run. With one stream the run is exactly that stream's
 * injector's sequence.
 */
export class StreamMux<S extends string> implements RecordSource<MuxRecord<S>> {
  private seq = 0;
  private clock = -Infinity;
  private readonly counts = new Map<FaultKind, number>(FAULT_KINDS.map((k) => [k, 0]));

  constructor(private readonly streams: readonly MuxStream<S>[]) {
    if (streams.length === 0) throw new RangeError('a merged run needs at least one stream');
    const names = new Set(streams.map((s) => s.stream));
    if (names.size !== streams.length) throw new RangeError('stream names must be distinct');
  }

  get pendingCount(): number {
    let n = 0;
    for (const s of this.streams) n += s.injector.pendingCount;
    return n;
  }

  get injected(): ReadonlyMap<FaultKind, number> {
    for (const k of FAULT_KINDS) {
      let n = 0;
      for (const s of this.streams) n += s.injector.injected.get(k) ?? 0;
      this.counts.set(k, n);
    }
    return this.counts;
  }

  /** Faults injected so far per stream. */
  injectedByStream(): Record<S, ReadonlyMap<FaultKind, number>> {
    return Object.fromEntries(this.streams.map((s) => [s.stream, s.injector.injected])) as Record<
      S,
      ReadonlyMap<FaultKind, number>
    >;
  }

  nextTime(): number {
    let t = Infinity;
    for (const s of this.streams) t = Math.min(t, s.injector.nextTime());
    return t;
  }

  next(remaining = Infinity): MuxRecord<S> {
    for (;;) {
      const total = this.pendingCount;
      if (total > 0 && total >= remaining) {
        // A bounded run's end: only held-back records fit, earliest first.
        return this.releaseEarliest();
      }
      let pick: MuxStream<S> | undefined;
      let pickDue = Infinity;
      for (const s of this.streams) {
        s.injector.advanceClock(this.clock);
        const head = s.injector.headReleaseAt();
        const due = head !== undefined && head <= this.clock ? head : s.injector.nextTime();
        if (due < pickDue) {
          pick = s;
          pickDue = due;
        }
      }
      if (!pick) {
        // Every source has ended: what is held back still goes out.
        if (total > 0) return this.releaseEarliest();
        throw new Error('every stream of the run has ended');
      }
      const others = total - pick.injector.pendingCount;
      const out = pick.injector.step(remaining - others);
      if (pick.injector.clock > this.clock) this.clock = pick.injector.clock;
      if (out) return this.tag(pick, out);
    }
  }

  drain(): MuxRecord<S>[] {
    const out: MuxRecord<S>[] = [];
    while (this.pendingCount > 0) out.push(this.releaseEarliest());
    return out;
  }

  private releaseEarliest(): MuxRecord<S> {
    const s = this.earliestHeld()!;
    // With `remaining` equal to what it holds, an injector releases its head and adds nothing.
    return this.tag(s, s.injector.step(s.injector.pendingCount)!);
  }

  private earliestHeld(): MuxStream<S> | undefined {
    let best: MuxStream<S> | undefined;
    let bestAt = Infinity;
    for (const s of this.streams) {
      const at = s.injector.headReleaseAt();
      if (at !== undefined && (best === undefined || at < bestAt)) {
        best = s;
        bestAt = at;
      }
    }
    return best;
  }

  private tag(s: MuxStream<S>, record: SimRecord<EventLike, string>): MuxRecord<S> {
    return { stream: s.stream, ...record, seq: this.seq++ };
  }
}
