import type { CityDefinition } from '@citypulse/postgres';
import type { GeneratorConfig } from '../config/generator.config';
import type { GenerationOptions } from '../dump/generate';
import type { RunOptions } from './generator-runner';
import { resolveStart, resolveTiming, type Timing } from './timing';

export interface RunPlan {
  generation: GenerationOptions;
  run: Omit<RunOptions, 'signal'>;
  timing: Timing;
}

/** The whole run decided from the validated config: what is generated and how it is paced. */
export function planRun(
  config: GeneratorConfig['generator'],
  city: CityDefinition,
  now: number,
): RunPlan {
  const timing = resolveTiming({
    rate: config.GENERATOR_RATE,
    speedup: config.GENERATOR_SPEEDUP,
    intervalMs:
      config.GENERATOR_INTERVAL_SECONDS === undefined
        ? undefined
        : config.GENERATOR_INTERVAL_SECONDS * 1000,
    sensors: city.sensors.length,
  });
  const startTime = resolveStart(config.GENERATOR_START, timing.speedup, now);
  return {
    timing,
    generation: {
      seed: config.GENERATOR_SEED,
      city,
      startTime,
      intervalMs: timing.intervalMs,
      jamChancePerMinute: config.GENERATOR_JAM_CHANCE ?? 0.004,
      faults: {
        duplicates: config.GENERATOR_DUPLICATES ?? 0,
        outOfOrder: config.GENERATOR_OUT_OF_ORDER ?? 0,
        late: config.GENERATOR_LATE ?? 0,
        malformed: config.GENERATOR_MALFORMED ?? 0,
        brokenAvro: config.GENERATOR_BROKEN_AVRO ?? 0,
        messyIds: config.GENERATOR_MESSY_IDS ?? 0,
        outOfOrderMaxMs: (config.GENERATOR_OUT_OF_ORDER_MAX_SECONDS ?? 60) * 1000,
        lateByMs: (config.GENERATOR_LATE_BY_SECONDS ?? 1800) * 1000,
      },
    },
    run: {
      rate: timing.rate,
      maxEvents: config.GENERATOR_EVENTS > 0 ? config.GENERATOR_EVENTS : Infinity,
      maxDurationMs:
        (config.GENERATOR_DURATION_SECONDS ?? 0) > 0
          ? (config.GENERATOR_DURATION_SECONDS ?? 0) * 1000
          : Infinity,
      batchSize: config.GENERATOR_BATCH_SIZE,
    },
  };
}

/** One line for the log saying what the run will do. */
export function describePlan(plan: RunPlan): string {
  const { timing, generation, run } = plan;
  const f = generation.faults ?? {};
  const faults = Object.entries(f)
    .filter(([k, v]) => !k.endsWith('Ms') && typeof v === 'number' && v > 0)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return [
    `seed=${String(generation.seed)}`,
    `sensors=${generation.city.sensors.length} zones=${generation.city.zones.length}`,
    `rate=${timing.rate === Infinity ? 'max' : `${timing.rate.toFixed(1)}/s`}`,
    `speedup=${timing.speedup === Infinity ? 'unpaced' : `${timing.speedup.toFixed(1)}x`}`,
    `interval=${(timing.intervalMs / 1000).toFixed(2)}s`,
    `start=${new Date(generation.startTime).toISOString()}`,
    `events=${run.maxEvents === Infinity ? 'unbounded' : run.maxEvents}`,
    `duration=${run.maxDurationMs === Infinity ? 'unbounded' : `${run.maxDurationMs / 1000}s`}`,
    `faults=${faults || 'none'}`,
  ].join(' ');
}
