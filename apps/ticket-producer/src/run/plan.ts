import type { CityDefinition } from '@citypulse/postgres';
import {
  describeFaults,
  resolveStart,
  resolveTiming,
  runBounds,
  simulationSettings,
  type RunOptions,
  type Timing,
} from '@citypulse/simulation';
import type { ProducerConfig } from '../config/producer.config';
import type { TicketGenerationOptions } from '../tickets/generate';
import { meanTicketsPerSecond, type TicketModelOptions } from '../tickets/ticket-model';

export interface RunPlan {
  generation: TicketGenerationOptions & { model: TicketModelOptions };
  run: Omit<RunOptions, 'signal'>;
  timing: Timing;
  /** tickets per simulated second on average, bursts included */
  meanPerSecond: number;
}

/**
 * The whole run decided from the validated config. Rate and speed-up are tied by the mean
 * ticket rate (rate = speedup x tickets per simulated second): give one. A paced run follows the
 * simulated clock, so bursts go out as bursts; `--rate max` sends as fast as Kafka takes them.
 */
export function planRun(
  config: ProducerConfig['producer'],
  city: CityDefinition,
  now: number,
): RunPlan {
  const s = simulationSettings('TICKET_PRODUCER_', config);
  const model: TicketModelOptions = {
    ticketsPerHour: config.TICKET_PRODUCER_TICKETS_PER_HOUR ?? 240,
    burstChancePerMinute: config.TICKET_PRODUCER_BURST_CHANCE ?? 0.003,
    burstFactor: config.TICKET_PRODUCER_BURST_FACTOR ?? 8,
  };
  const meanPerSecond = meanTicketsPerSecond(model);
  const timing = resolveTiming({
    rate: s.rate,
    speedup: s.speedup,
    reporters: 0,
    sporadicPerSecond: meanPerSecond,
  });
  const startTime = resolveStart(s.start, timing.speedup, now);
  return {
    timing,
    meanPerSecond,
    generation: { seed: s.seed, city, startTime, model, faults: s.faults },
    run: {
      rate: timing.rate,
      ...runBounds(s),
      ...(Number.isFinite(timing.rate) && { clock: { speedup: timing.speedup, startTime } }),
    },
  };
}

/** One line for the log saying what the run will do. */
export function describePlan(plan: RunPlan): string {
  const { timing, generation, run } = plan;
  const m = generation.model;
  return [
    `seed=${String(generation.seed)}`,
    `tickets/h=${m.ticketsPerHour} bursts=${m.burstChancePerMinute}/min x${m.burstFactor}`,
    `mean=${(plan.meanPerSecond * 3600).toFixed(1)}/sim-h`,
    `rate=${timing.rate === Infinity ? 'max' : `${timing.rate.toFixed(2)}/s (mean; bursts go faster)`}`,
    `speedup=${timing.speedup === Infinity ? 'unpaced' : `${timing.speedup.toFixed(1)}x`}`,
    `start=${new Date(generation.startTime).toISOString()}`,
    `events=${run.maxEvents === Infinity ? 'unbounded' : run.maxEvents}`,
    `duration=${run.maxDurationMs === Infinity ? 'unbounded' : `${run.maxDurationMs / 1000}s`}`,
    `faults=${describeFaults(generation.faults ?? {})}`,
  ].join(' ');
}
