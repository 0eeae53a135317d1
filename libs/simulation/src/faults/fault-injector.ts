import { Prng } from '../random/prng';
import {
  BROKEN_AVRO_VARIANTS,
  FAULT_KINDS,
  type BrokenAvroVariant,
  type CleanSource,
  type EventLike,
  type FaultKind,
  type SimRecord,
  type Unsequenced,
} from './records';

/** Shares are probabilities per clean value, 0..1. */
export interface FaultOptions {
  /** the value is sent again later with the same event id */
  duplicates: number;
  /** the value is held back up to outOfOrderMaxMs of simulated time (within the watermark) */
  outOfOrder: number;
  /** the value is held back lateByMs of simulated time (past the watermark) */
  late: number;
  /** the value carries impossible values (valid Avro, rejected by the normalizer) */
  malformed: number;
  /** the value is replaced by bytes that are not decodable Confluent Avro */
  brokenAvro: number;
  /** ids in another case and/or with whitespace, as some devices send them */
  messyIds: number;
  outOfOrderMaxMs: number;
  lateByMs: number;
  /** a duplicate follows its original within this much simulated time */
  duplicateMaxDelayMs: number;
}

export const NO_FAULTS: FaultOptions = {
  duplicates: 0,
  outOfOrder: 0,
  late: 0,
  malformed: 0,
  brokenAvro: 0,
  messyIds: 0,
  outOfOrderMaxMs: 60_000,
  lateByMs: 30 * 60_000,
  duplicateMaxDelayMs: 30_000,
};

/** What a stream tells the injector about its values: key, messy ids, impossible values. */
export interface FaultProfile<V extends EventLike, M extends string> {
  /** label of the fault PRNG derived from the seed (default 'faults'); one per stream */
  rngLabel?: string;
  /** the record key of a value: its canonical id (trimmed, upper case) */
  keyOf(value: V): string;
  /** string fields a messy device sends in another case or padded, in this order */
  messyFields: readonly string[];
  /** the impossible values a malformed record may carry */
  malformedVariants: readonly M[];
  /** a copy of the value with one impossible value */
  corrupt(value: V, variant: M): V;
}

/** A source of records a run takes from: one injector, or several streams merged. */
export interface RecordSource<R> {
  /** The next record; `remaining` bounds the run (held-back records are released to fit). */
  next(remaining?: number): R;
  /** Releases every held-back record now (end of an unbounded run). */
  drain(): R[];
  /** Records held back for later release. */
  readonly pendingCount: number;
  /** Faults injected so far, by kind (counted when the record is handed out). */
  readonly injected: ReadonlyMap<FaultKind, number>;
  /** Event time of the next clean value (for pacing by the simulated clock). */
  nextTime(): number;
  /** A finite source (a file) says it has nothing more; simulated sources never end. */
  readonly exhausted?: boolean;
}

interface Pending<R> {
  releaseAt: number;
  order: number;
  record: Unsequenced<R>;
}

/**
 * Wraps a stream's clean values and injects faults, deterministically for the seed. Held-back
 * records (out-of-order, late, duplicates) wait in a queue ordered by the simulated time at
 * which they are released; simulated "now" is the event time of the newest clean value (or a
 * later time a merged run's clock gives it, see advanceClock).
 */
export class FaultInjector<V extends EventLike, M extends string = string> implements RecordSource<
  SimRecord<V, M>
> {
  private readonly rng: Prng;
  private readonly pending: Pending<SimRecord<V, M>>[] = [];
  private seq = 0;
  private order = 0;
  private simNow: number;
  private readonly options: FaultOptions;
  private readonly counts = new Map<FaultKind, number>(FAULT_KINDS.map((k) => [k, 0]));

  constructor(
    private readonly source: CleanSource<V>,
    seed: string | number,
    options: Partial<FaultOptions>,
    private readonly profile: FaultProfile<V, M>,
  ) {
    this.options = { ...NO_FAULTS, ...options };
    const o = this.options;
    const exclusive = o.malformed + o.brokenAvro + o.late + o.outOfOrder;
    if (exclusive > 1) {
      throw new RangeError('malformed + brokenAvro + late + outOfOrder shares must not exceed 1');
    }
    for (const [k, v] of Object.entries(o)) {
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`fault option ${k} must be >= 0`);
    }
    if (o.malformed > 0 && profile.malformedVariants.length === 0) {
      throw new RangeError('this stream has no malformed variants');
    }
    this.rng = Prng.derive(seed, profile.rngLabel ?? 'faults');
    this.simNow = source.peekTime();
  }

  get injected(): ReadonlyMap<FaultKind, number> {
    return this.counts;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** The simulated now of this stream. */
  get clock(): number {
    return this.simNow;
  }

  /** When the first held-back record is due, if any. */
  headReleaseAt(): number | undefined {
    return this.pending[0]?.releaseAt;
  }

  nextTime(): number {
    return this.source.peekTime();
  }

  /** Moves simulated now forward (a merged run's clock), releasing what falls due by then. */
  advanceClock(t: number): void {
    if (t > this.simNow) this.simNow = t;
  }

  /**
   * The next record to send. `remaining` is how many more records the run may send: when the
   * held-back queue would not fit, it is released early so a bounded run ends with nothing lost.
   */
  next(remaining = Infinity): SimRecord<V, M> {
    for (;;) {
      const out = this.step(remaining);
      if (out) return out;
    }
  }

  /**
   * One step: release a due (or forced) held-back record, or take one clean value — which may be
   * held back, then nothing is returned.
   */
  step(remaining = Infinity): SimRecord<V, M> | undefined {
    const head = this.pending[0];
    if (head && (head.releaseAt <= this.simNow || this.pending.length >= remaining)) {
      this.pending.shift();
      return this.emit(head.record, remaining);
    }
    const out = this.fromCleanValue();
    return out ? this.emit(out, remaining) : undefined;
  }

  drain(): SimRecord<V, M>[] {
    const out: SimRecord<V, M>[] = [];
    while (this.pending.length > 0) {
      const p = this.pending.shift()!;
      out.push(this.emit(p.record, 0));
    }
    return out;
  }

  private fromCleanValue(): Unsequenced<SimRecord<V, M>> | undefined {
    const { value } = this.source.next();
    if (value.event_time > this.simNow) this.simNow = value.event_time;
    const o = this.options;
    const p = this.profile;
    const key = p.keyOf(value);
    const faults: FaultKind[] = [];
    if (this.rng.chance(o.messyIds)) {
      const fields = value as unknown as Record<string, unknown>;
      let changed = false;
      for (const f of p.messyFields) {
        const id = fields[f];
        if (typeof id === 'string' && id !== '') {
          fields[f] = this.messy(id);
          changed = true;
        }
      }
      if (changed) faults.push('messy_id');
    }
    let r = this.rng.next();
    if ((r -= o.malformed) < 0) {
      const variant = this.rng.pick(p.malformedVariants);
      const bad = p.corrupt(value, variant);
      return {
        kind: 'reading',
        key: p.keyOf(bad),
        value: bad,
        faults: [...faults, 'malformed'],
        malformed: variant,
      };
    }
    if ((r -= o.brokenAvro) < 0) {
      const variant = this.rng.pick(BROKEN_AVRO_VARIANTS);
      return {
        kind: 'bytes',
        key,
        bytes: this.brokenBytes(value, variant),
        faults: ['broken_avro'],
        brokenAvro: variant,
        eventId: value.event_id,
      };
    }
    if ((r -= o.late) < 0) {
      this.hold(value.event_time + o.lateByMs, {
        kind: 'reading',
        key,
        value,
        faults: [...faults, 'late'],
      });
      return undefined;
    }
    if ((r -= o.outOfOrder) < 0) {
      const delay = this.rng.uniform(1_000, Math.max(1_001, o.outOfOrderMaxMs));
      this.hold(value.event_time + delay, {
        kind: 'reading',
        key,
        value,
        faults: [...faults, 'out_of_order'],
      });
      return undefined;
    }
    return { kind: 'reading', key, value, faults };
  }

  private emit(record: Unsequenced<SimRecord<V, M>>, remaining: number): SimRecord<V, M> {
    for (const f of record.faults) this.counts.set(f, (this.counts.get(f) ?? 0) + 1);
    // A duplicate is scheduled when its original goes out; never for rejects or duplicates.
    if (
      record.kind === 'reading' &&
      !record.faults.includes('malformed') &&
      !record.faults.includes('duplicate') &&
      this.pending.length + 2 < remaining &&
      this.rng.chance(this.options.duplicates)
    ) {
      const delay = this.rng.uniform(0, this.options.duplicateMaxDelayMs);
      this.hold(this.simNow + delay, {
        kind: 'reading',
        key: record.key,
        value: { ...record.value },
        faults: [...record.faults.filter((f) => f === 'messy_id'), 'duplicate'],
      });
    }
    return { ...record, seq: this.seq++ };
  }

  private hold(releaseAt: number, record: Unsequenced<SimRecord<V, M>>): void {
    const item: Pending<SimRecord<V, M>> = { releaseAt, order: this.order++, record };
    // Binary search for the insertion point: by release time, then by arrival.
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.pending[mid];
      if (p.releaseAt < releaseAt || (p.releaseAt === releaseAt && p.order < item.order))
        lo = mid + 1;
      else hi = mid;
    }
    this.pending.splice(lo, 0, item);
  }

  private messy(id: string): string {
    switch (this.rng.int(0, 2)) {
      case 0:
        return id.toLowerCase();
      case 1:
        return `  ${id} `;
      default:
        return ` ${id.toLowerCase()}\t`;
    }
  }

  private brokenBytes(value: V, variant: BrokenAvroVariant): Buffer {
    const noise = Buffer.alloc(24);
    for (let i = 0; i < noise.length; i++) noise[i] = this.rng.int(0, 255);
    switch (variant) {
      case 'not_avro':
        // A producer that sends JSON by mistake.
        return Buffer.from(JSON.stringify(value), 'utf8');
      case 'unknown_schema_id': {
        const header = Buffer.from([0, 0, 0, 0, 0]);
        header.writeInt32BE(0x7ffffff0, 1);
        return Buffer.concat([header, noise]);
      }
      case 'bad_magic_byte':
        return Buffer.concat([Buffer.from([0x01, 0, 0, 0, 1]), noise]);
    }
  }
}
