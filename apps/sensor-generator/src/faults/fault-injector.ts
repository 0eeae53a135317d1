import type { TrafficReadingRaw } from '@citypulse/contracts';
import { Prng } from '../random/prng';
import type { ReadingSequence } from '../simulation/reading-sequence';

export const FAULT_KINDS = [
  'duplicate',
  'out_of_order',
  'late',
  'malformed',
  'broken_avro',
  'messy_id',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const MALFORMED_VARIANTS = [
  'negative_speed',
  'impossible_speed',
  'nan_speed',
  'occupancy_over_100',
  'negative_count',
  'far_future',
  'unknown_sensor',
] as const;
export type MalformedVariant = (typeof MALFORMED_VARIANTS)[number];

export const BROKEN_AVRO_VARIANTS = ['not_avro', 'unknown_schema_id', 'bad_magic_byte'] as const;
export type BrokenAvroVariant = (typeof BROKEN_AVRO_VARIANTS)[number];

/** Shares are probabilities per clean reading, 0..1. */
export interface FaultOptions {
  /** the reading is sent again later with the same event id */
  duplicates: number;
  /** the reading is held back up to outOfOrderMaxMs of simulated time (within the watermark) */
  outOfOrder: number;
  /** the reading is held back lateByMs of simulated time (past the watermark) */
  late: number;
  /** the reading carries impossible values (valid Avro, rejected by the normalizer) */
  malformed: number;
  /** the reading is replaced by bytes that are not decodable Confluent Avro */
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

/** A record as it goes to Kafka, with the faults it carries (empty for a clean reading). */
export type GeneratedRecord =
  | {
      kind: 'reading';
      /** 0-based position in the sent sequence */
      seq: number;
      /** record key: the sensor's canonical id */
      key: string;
      value: TrafficReadingRaw;
      faults: FaultKind[];
      /** which impossible value a malformed reading carries */
      malformed?: MalformedVariant;
    }
  | {
      kind: 'bytes';
      seq: number;
      key: string;
      /** sent as the raw record value, no encoding */
      bytes: Buffer;
      faults: ['broken_avro'];
      brokenAvro: BrokenAvroVariant;
      /** the event id of the reading these bytes replaced (not decodable from the bytes) */
      eventId: string;
    };

type Unsequenced<T> = T extends GeneratedRecord ? Omit<T, 'seq'> : never;

interface Pending {
  releaseAt: number;
  order: number;
  record: Unsequenced<GeneratedRecord>;
}

/**
 * Wraps the clean sequence and injects faults, deterministically for the seed. Held-back
 * readings (out-of-order, late, duplicates) wait in a queue ordered by the simulated time at
 * which they are released; simulated "now" is the event time of the newest clean reading.
 */
export class FaultInjector {
  private readonly rng: Prng;
  private readonly pending: Pending[] = [];
  private seq = 0;
  private order = 0;
  private simNow: number;
  private readonly options: FaultOptions;
  private readonly counts = new Map<FaultKind, number>(FAULT_KINDS.map((k) => [k, 0]));

  constructor(
    private readonly readings: ReadingSequence,
    seed: string | number,
    options: Partial<FaultOptions> = {},
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
    this.rng = Prng.derive(seed, 'faults');
    this.simNow = readings.peekTime();
  }

  /** Faults injected so far, by kind (counted when the record is handed out). */
  get injected(): ReadonlyMap<FaultKind, number> {
    return this.counts;
  }

  /** Readings held back for later release. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * The next record to send. `remaining` is how many more records the run may send: when the
   * held-back queue would not fit, it is released early so a bounded run ends with nothing lost.
   */
  next(remaining = Infinity): GeneratedRecord {
    for (;;) {
      const head = this.pending[0];
      if (head && (head.releaseAt <= this.simNow || this.pending.length >= remaining)) {
        this.pending.shift();
        return this.emit(head.record, remaining);
      }
      const out = this.fromCleanReading();
      if (out) return this.emit(out, remaining);
    }
  }

  /** Releases every held-back record now, in release order (end of an unbounded run). */
  drain(): GeneratedRecord[] {
    const out: GeneratedRecord[] = [];
    while (this.pending.length > 0) {
      const p = this.pending.shift()!;
      out.push(this.emit(p.record, 0));
    }
    return out;
  }

  private fromCleanReading(): Unsequenced<GeneratedRecord> | undefined {
    const { value } = this.readings.next();
    this.simNow = value.event_time;
    const o = this.options;
    const key = value.sensor_id;
    const faults: FaultKind[] = [];
    if (this.rng.chance(o.messyIds)) {
      value.sensor_id = this.messy(value.sensor_id);
      value.zone_id = this.messy(value.zone_id);
      faults.push('messy_id');
    }
    let r = this.rng.next();
    if ((r -= o.malformed) < 0) {
      const variant = this.rng.pick(MALFORMED_VARIANTS);
      const bad = corrupt(value, variant);
      return {
        kind: 'reading',
        key: bad.sensor_id.trim().toUpperCase(),
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

  private emit(record: Unsequenced<GeneratedRecord>, remaining: number): GeneratedRecord {
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

  private hold(releaseAt: number, record: Unsequenced<GeneratedRecord>): void {
    const item: Pending = { releaseAt, order: this.order++, record };
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

  private brokenBytes(value: TrafficReadingRaw, variant: BrokenAvroVariant): Buffer {
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

/** A copy of the reading with one impossible value. */
export function corrupt(value: TrafficReadingRaw, variant: MalformedVariant): TrafficReadingRaw {
  const v = { ...value };
  switch (variant) {
    case 'negative_speed':
      v.speed = -5;
      break;
    case 'impossible_speed':
      v.speed = 900;
      break;
    case 'nan_speed':
      v.speed = Number.NaN;
      break;
    case 'occupancy_over_100':
      v.occupancy_pct = 150;
      break;
    case 'negative_count':
      v.vehicle_count = -3;
      break;
    case 'far_future':
      v.event_time = value.event_time + 400 * 24 * 3_600_000;
      break;
    case 'unknown_sensor':
      v.sensor_id = 'Z99-S99';
      v.zone_id = 'Z99';
      break;
  }
  return v;
}
