import { env, type EnvSource } from '@citypulse/config';
import {
  decimal,
  simulationConfig,
  simulationEnv,
  simulationFlags,
  usage as flagUsage,
  withFlags as layFlags,
} from '@citypulse/simulation';
import { z } from 'zod';
import { DEFAULT_TICKET_MODEL } from '../tickets/ticket-model';

export { FlagError } from '@citypulse/simulation';

const producerShape = {
  ...simulationEnv('TICKET_PRODUCER_', { batchSize: 500 }),
  TICKET_PRODUCER_TICKETS_PER_HOUR: decimal({
    min: 0.001,
    max: 10_000_000,
    default: DEFAULT_TICKET_MODEL.ticketsPerHour,
  }),
  TICKET_PRODUCER_BURST_CHANCE: decimal({
    min: 0,
    max: 1,
    default: DEFAULT_TICKET_MODEL.burstChancePerMinute,
  }),
  TICKET_PRODUCER_BURST_FACTOR: decimal({
    min: 1,
    max: 1_000,
    default: DEFAULT_TICKET_MODEL.burstFactor,
  }),
  TICKET_PRODUCER_CITY_FILE: env.optionalString(),
};

/** The producer's own variables; every one can also be given as a command-line flag. */
export const producerEnv = z.object(producerShape).superRefine((p, ctx) => {
  if (
    p.TICKET_PRODUCER_RATE !== undefined &&
    p.TICKET_PRODUCER_RATE !== Infinity &&
    p.TICKET_PRODUCER_SPEEDUP !== undefined
  ) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['TICKET_PRODUCER_SPEEDUP'],
      message:
        'give TICKET_PRODUCER_RATE or TICKET_PRODUCER_SPEEDUP, not both: with TICKETS_PER_HOUR one sets the other',
    });
  }
});

export const producerConfigSchema = simulationConfig({
  clientId: 'ticket-producer',
  metricsPort: { variable: 'TICKET_PRODUCER_METRICS_PORT', default: 9468 },
  section: 'producer',
  env: producerEnv,
});

export type ProducerConfig = z.output<typeof producerConfigSchema>;

export const PRODUCER_FLAGS = simulationFlags({
  command: 'ticket-producer',
  prefix: 'TICKET_PRODUCER_',
  variables: Object.keys(producerShape),
  aliases: { city: 'CITY_FILE' },
});

/** `--rate 50 --burst-factor 12 --dry-run` as TICKET_PRODUCER_* variables over the environment. */
export function withFlags(argv: readonly string[], source: EnvSource): EnvSource {
  return layFlags(argv, source, PRODUCER_FLAGS);
}

export function usage(): string {
  return flagUsage(PRODUCER_FLAGS);
}
