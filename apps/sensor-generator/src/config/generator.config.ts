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
import { GENERATOR_STREAMS, type GeneratorStream } from '../streams/city-streams';

export { FlagError } from '@citypulse/simulation';

/** A comma-separated list of the generator's streams; empty = all of them. */
function streams() {
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .optional()
      .transform((v, ctx): GeneratorStream[] => {
        if (v === undefined) return [...GENERATOR_STREAMS];
        const names = v
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter((s) => s !== '');
        const unknown = names.filter((n) => !(GENERATOR_STREAMS as readonly string[]).includes(n));
        if (unknown.length > 0 || names.length === 0) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `expected a comma-separated list of ${GENERATOR_STREAMS.join(', ')}`,
          });
          return z.NEVER;
        }
        // In the generator's own order, each once.
        return GENERATOR_STREAMS.filter((s) => names.includes(s));
      }),
  );
}

const generatorShape = {
  ...simulationEnv('GENERATOR_'),
  GENERATOR_STREAMS: streams(),
  GENERATOR_INTERVAL_SECONDS: decimal({ min: 0.001 }),
  GENERATOR_CITY_FILE: env.optionalString(),
  GENERATOR_JAM_CHANCE: decimal({ min: 0, max: 1, default: 0.004 }),
  GENERATOR_INCIDENTS_PER_DAY: decimal({ min: 0, max: 1_000, default: 2 }),
  // a JSON file of jams, crowded lines and incidents forced at times after the start (README)
  GENERATOR_SCENARIO_FILE: env.optionalString(),
};

/** The generator's own variables; every one can also be given as a command-line flag. */
export const generatorEnv = z.object(generatorShape).superRefine((g, ctx) => {
  if (
    g.GENERATOR_STREAMS.length === 1 &&
    g.GENERATOR_STREAMS[0] === 'incidents' &&
    g.GENERATOR_INCIDENTS_PER_DAY === 0
  ) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['GENERATOR_INCIDENTS_PER_DAY'],
      message: 'is 0 while incidents are the only stream: the run would send nothing',
    });
  }
});

export const generatorConfigSchema = simulationConfig({
  clientId: 'sensor-generator',
  metricsPort: { variable: 'SENSOR_GENERATOR_METRICS_PORT', default: 9464 },
  section: 'generator',
  env: generatorEnv,
});

export type GeneratorConfig = z.output<typeof generatorConfigSchema>;

export const GENERATOR_FLAGS = simulationFlags({
  command: 'sensor-generator',
  prefix: 'GENERATOR_',
  variables: Object.keys(generatorShape),
  aliases: { interval: 'INTERVAL_SECONDS', city: 'CITY_FILE' },
});

/**
 * Turns `--rate 500 --dump=out.jsonl --dry-run --streams traffic` into GENERATOR_* variables
 * laid over the environment, so flags and env go through the one validated config. Unknown
 * flags are errors (FlagError, with the usage).
 */
export function withFlags(argv: readonly string[], source: EnvSource): EnvSource {
  return layFlags(argv, source, GENERATOR_FLAGS);
}

export function usage(): string {
  return flagUsage(GENERATOR_FLAGS);
}
