import type { CityDefinition } from '@citypulse/postgres';
import {
  describeFaults,
  ExitCodeError,
  resolveStart,
  resolveTiming,
  runBounds,
  simulationSettings,
  type RunOptions,
  type Timing,
} from '@citypulse/simulation';
import type { GeneratorConfig } from '../config/generator.config';
import { describeScenario, loadScenario } from '../scenario/scenario';
import { runLoad, type CityGenerationOptions, type GeneratorStream } from '../streams/city-streams';

export interface RunPlan {
  generation: CityGenerationOptions & { streams: GeneratorStream[] };
  run: Omit<RunOptions, 'signal'>;
  timing: Timing;
  /** sensors + vehicles reporting once per interval; incident reports per simulated second */
  load: { reporters: number; sporadicPerSecond: number };
}

/** The whole run decided from the validated config: what is generated and how it is paced. */
export function planRun(
  config: GeneratorConfig['generator'],
  city: CityDefinition,
  now: number,
): RunPlan {
  const s = simulationSettings('GENERATOR_', config);
  const world = {
    seed: s.seed,
    city,
    streams: config.GENERATOR_STREAMS,
    jamChancePerMinute: config.GENERATOR_JAM_CHANCE ?? 0.004,
    incidentsPerZonePerDay: config.GENERATOR_INCIDENTS_PER_DAY ?? 2,
    faults: s.faults,
  };
  // The load does not depend on start or interval: incidents are per day, reporters per interval.
  const load = runLoad({ ...world, startTime: 0, intervalMs: 1 });
  const timing = resolveTiming({
    rate: s.rate,
    speedup: s.speedup,
    intervalMs:
      config.GENERATOR_INTERVAL_SECONDS === undefined
        ? undefined
        : config.GENERATOR_INTERVAL_SECONDS * 1000,
    ...load,
  });
  const startTime = resolveStart(s.start, timing.speedup, now);
  const file = config.GENERATOR_SCENARIO_FILE;
  let scenario;
  try {
    scenario = file ? loadScenario(file, city, startTime) : undefined;
  } catch (e) {
    // a bad scenario file is a bad configuration: its problems listed, exit 78 like the rest
    throw new ExitCodeError(e instanceof Error ? e.message : String(e), 78, { cause: e });
  }
  return {
    timing,
    load,
    generation: {
      ...world,
      startTime,
      intervalMs: timing.intervalMs,
      ...(scenario && { scenario }),
    },
    run: { rate: timing.rate, ...runBounds(s) },
  };
}

/** One line for the log saying what the run will do. */
export function describePlan(plan: RunPlan): string {
  const { timing, generation, run, load } = plan;
  const vehicles = generation.city.lines.reduce((n, l) => n + l.vehicles, 0);
  const has = (s: GeneratorStream) => generation.streams.includes(s);
  return [
    `seed=${String(generation.seed)}`,
    `streams=${generation.streams.join(',')}`,
    `zones=${generation.city.zones.length}`,
    ...(has('traffic') ? [`sensors=${generation.city.sensors.length}`] : []),
    ...(has('transport') ? [`lines=${generation.city.lines.length} vehicles=${vehicles}`] : []),
    ...(has('incidents')
      ? [
          `incidents/zone/day=${String(generation.incidentsPerZonePerDay)} (~${(load.sporadicPerSecond * 3600).toFixed(1)} reports/sim-h)`,
        ]
      : []),
    `rate=${timing.rate === Infinity ? 'max' : `${timing.rate.toFixed(1)}/s`}`,
    `speedup=${timing.speedup === Infinity ? 'unpaced' : `${timing.speedup.toFixed(1)}x`}`,
    `interval=${(timing.intervalMs / 1000).toFixed(2)}s`,
    `start=${new Date(generation.startTime).toISOString()}`,
    `events=${run.maxEvents === Infinity ? 'unbounded' : run.maxEvents}`,
    `duration=${run.maxDurationMs === Infinity ? 'unbounded' : `${run.maxDurationMs / 1000}s`}`,
    `faults=${describeFaults(generation.faults ?? {})}`,
    ...(generation.scenario ? [`scenario=${describeScenario(generation.scenario)}`] : []),
  ].join(' ');
}
