import { env } from '@citypulse/config';
import { z } from 'zod';
import type { FaultOptions } from '../faults/fault-injector';
import { decimal, rate } from './numbers';

const share = () => decimal({ min: 0, max: 1, default: 0 });

function shape(defaults: { seed: string; batchSize: number }) {
  return {
    SEED: env.string({ default: defaults.seed }),
    RATE: rate(),
    SPEEDUP: decimal({ min: 0.001 }),
    START: env.optionalString(),
    EVENTS: env.int({ min: 0, default: 0 }),
    DURATION_SECONDS: decimal({ min: 0, default: 0 }),
    BATCH_SIZE: env.int({ min: 1, max: 100_000, default: defaults.batchSize }),
    DUMP: env.optionalString(),
    DRY_RUN: env.bool({ default: false }),
    DUPLICATES: share(),
    OUT_OF_ORDER: share(),
    LATE: share(),
    MALFORMED: share(),
    BROKEN_AVRO: share(),
    MESSY_IDS: share(),
    OUT_OF_ORDER_MAX_SECONDS: decimal({ min: 1, default: 60 }),
    LATE_BY_SECONDS: decimal({ min: 1, default: 1_800 }),
  };
}
type Shape = ReturnType<typeof shape>;

/** The run variables every simulation shares, each named `<prefix><NAME>`. */
export type SimulationEnvShape<P extends string> = {
  [K in keyof Shape as `${P}${K & string}`]: Shape[K];
};

/**
 * The variables of a simulated run, for an app's zod object: seed, rate, speed-up, start,
 * bounds (events, duration), batch size, dump file, dry run, and the fault shares. Spread it
 * into the app's own `z.object({...})`; `simulationSettings` reads them back.
 */
export function simulationEnv<P extends string>(
  prefix: P,
  defaults: { seed?: string; batchSize?: number } = {},
): SimulationEnvShape<P> {
  const s = shape({ seed: defaults.seed ?? 'citypulse', batchSize: defaults.batchSize ?? 1_000 });
  return Object.fromEntries(
    Object.entries(s).map(([k, v]) => [`${prefix}${k}`, v]),
  ) as SimulationEnvShape<P>;
}

/** The validated run variables, without their prefix. */
export interface SimulationSettings {
  seed: string;
  /** records per second; Infinity = max; undefined = not given */
  rate: number | undefined;
  speedup: number | undefined;
  start: string | undefined;
  /** 0 = unbounded */
  events: number;
  /** 0 = unbounded */
  durationSeconds: number;
  batchSize: number;
  dump: string | undefined;
  dryRun: boolean;
  faults: Partial<FaultOptions>;
}

type Parsed<P extends string> = z.output<z.ZodObject<SimulationEnvShape<P>>>;

/** Reads the run variables out of an app's validated config section. */
export function simulationSettings<P extends string>(
  prefix: P,
  values: Parsed<P>,
): SimulationSettings {
  const v = values as unknown as Record<string, unknown>;
  const get = <T>(name: keyof Shape): T => v[`${prefix}${name}`] as T;
  return {
    seed: get<string>('SEED'),
    rate: get<number | undefined>('RATE'),
    speedup: get<number | undefined>('SPEEDUP'),
    start: get<string | undefined>('START'),
    events: get<number>('EVENTS'),
    durationSeconds: get<number | undefined>('DURATION_SECONDS') ?? 0,
    batchSize: get<number>('BATCH_SIZE'),
    dump: get<string | undefined>('DUMP'),
    dryRun: get<boolean>('DRY_RUN'),
    faults: {
      duplicates: get<number | undefined>('DUPLICATES') ?? 0,
      outOfOrder: get<number | undefined>('OUT_OF_ORDER') ?? 0,
      late: get<number | undefined>('LATE') ?? 0,
      malformed: get<number | undefined>('MALFORMED') ?? 0,
      brokenAvro: get<number | undefined>('BROKEN_AVRO') ?? 0,
      messyIds: get<number | undefined>('MESSY_IDS') ?? 0,
      outOfOrderMaxMs: (get<number | undefined>('OUT_OF_ORDER_MAX_SECONDS') ?? 60) * 1000,
      lateByMs: (get<number | undefined>('LATE_BY_SECONDS') ?? 1800) * 1000,
    },
  };
}

/** Short flag names for the run variables whose name says a unit. */
export const SIMULATION_FLAG_ALIASES: Readonly<Record<string, string>> = {
  duration: 'DURATION_SECONDS',
  'late-by': 'LATE_BY_SECONDS',
  'out-of-order-max': 'OUT_OF_ORDER_MAX_SECONDS',
};

/** Run flags that take no value. */
export const SIMULATION_SWITCHES: readonly string[] = ['dry-run'];

/** The bounds of a run from its settings (0 = unbounded). */
export function runBounds(s: SimulationSettings): {
  maxEvents: number;
  maxDurationMs: number;
  batchSize: number;
} {
  return {
    maxEvents: s.events > 0 ? s.events : Infinity,
    maxDurationMs: s.durationSeconds > 0 ? s.durationSeconds * 1000 : Infinity,
    batchSize: s.batchSize,
  };
}

/** The fault shares that are on, e.g. "duplicates=0.01 late=0.005", or "none". */
export function describeFaults(faults: Partial<FaultOptions>): string {
  const on = Object.entries(faults)
    .filter(([k, v]) => !k.endsWith('Ms') && typeof v === 'number' && v > 0)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return on || 'none';
}
