import type { FaultProfile } from '../faults/fault-injector';
import type { CleanSource } from '../faults/records';
import { Prng } from '../random/prng';
import { periodicTime } from '../sources/periodic';

/** A small stream for the library's own tests: `count` meters reading a level periodically. */
export interface ToyValue {
  event_id: string;
  event_time: number;
  meter_id: string;
  level: number;
}

export const TOY_MALFORMED = ['negative_level', 'nan_level'] as const;
export type ToyMalformed = (typeof TOY_MALFORMED)[number];

export class ToySource implements CleanSource<ToyValue> {
  private i = 0;
  private readonly rng: Prng;

  constructor(
    seed: string | number,
    private readonly opts: { count: number; startTime: number; intervalMs: number; label?: string },
  ) {
    this.rng = Prng.derive(seed, `toy/${opts.label ?? 'meter'}`);
  }

  peekTime(): number {
    return periodicTime(this.i, this.opts.count, this.opts.startTime, this.opts.intervalMs);
  }

  next(): { value: ToyValue } {
    const i = this.i;
    const event_time = this.peekTime();
    this.i++;
    return {
      value: {
        event_id: this.rng.uuid(),
        event_time,
        meter_id: `${(this.opts.label ?? 'M').toUpperCase()}${(i % this.opts.count) + 1}`,
        level: Math.round(this.rng.uniform(0, 100) * 10) / 10,
      },
    };
  }
}

/** A source with a fixed list of event times (bursts, gaps, an end). */
export class ListSource implements CleanSource<ToyValue> {
  private i = 0;
  constructor(
    private readonly times: readonly number[],
    private readonly label = 'L',
  ) {}
  peekTime(): number {
    return this.i < this.times.length ? this.times[this.i] : Infinity;
  }
  next(): { value: ToyValue } {
    if (this.i >= this.times.length) throw new Error('the list has ended');
    const i = this.i++;
    return {
      value: {
        event_id: `${this.label}-${i}`,
        event_time: this.times[i],
        meter_id: this.label,
        level: i,
      },
    };
  }
}

export const toyProfile = (label?: string): FaultProfile<ToyValue, ToyMalformed> => ({
  ...(label !== undefined && { rngLabel: `faults/${label}` }),
  keyOf: (v) => v.meter_id.trim().toUpperCase(),
  messyFields: ['meter_id'],
  malformedVariants: TOY_MALFORMED,
  corrupt: (v, variant) => ({ ...v, level: variant === 'nan_level' ? Number.NaN : -1 }),
});
