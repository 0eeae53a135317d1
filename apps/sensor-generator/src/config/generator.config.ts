import {
  defineConfig,
  env,
  kafkaEnv,
  logEnv,
  metricsEnv,
  schemaRegistryEnv,
  type EnvSource,
} from '@citypulse/config';
import { z } from 'zod';
import { decimal, rate } from './numbers';

const share = () => decimal({ min: 0, max: 1, default: 0 });

/** The generator's own variables; every one can also be given as a command-line flag. */
export const generatorEnv = z.object({
  GENERATOR_SEED: env.string({ default: 'citypulse' }),
  GENERATOR_RATE: rate(),
  GENERATOR_SPEEDUP: decimal({ min: 0.001 }),
  GENERATOR_INTERVAL_SECONDS: decimal({ min: 0.001 }),
  GENERATOR_START: env.optionalString(),
  GENERATOR_EVENTS: env.int({ min: 0, default: 0 }),
  GENERATOR_DURATION_SECONDS: decimal({ min: 0, default: 0 }),
  GENERATOR_BATCH_SIZE: env.int({ min: 1, max: 100_000, default: 1_000 }),
  GENERATOR_DUMP: env.optionalString(),
  GENERATOR_DRY_RUN: env.bool({ default: false }),
  GENERATOR_CITY_FILE: env.optionalString(),
  GENERATOR_JAM_CHANCE: decimal({ min: 0, max: 1, default: 0.004 }),
  GENERATOR_DUPLICATES: share(),
  GENERATOR_OUT_OF_ORDER: share(),
  GENERATOR_LATE: share(),
  GENERATOR_MALFORMED: share(),
  GENERATOR_BROKEN_AVRO: share(),
  GENERATOR_MESSY_IDS: share(),
  GENERATOR_OUT_OF_ORDER_MAX_SECONDS: decimal({ min: 1, default: 60 }),
  GENERATOR_LATE_BY_SECONDS: decimal({ min: 1, default: 1_800 }),
});

export const generatorConfigSchema = defineConfig({
  kafka: kafkaEnv({ defaultClientId: 'sensor-generator' }),
  registry: schemaRegistryEnv(),
  metrics: metricsEnv('SENSOR_GENERATOR_METRICS_PORT', { default: 9464 }),
  log: logEnv(),
  generator: generatorEnv,
});

export type GeneratorConfig = z.output<typeof generatorConfigSchema>;

/** Flags that take no value. */
const SWITCHES = new Set(['dry-run']);

/** Short flag names for variables whose name says a unit. */
const ALIASES: Record<string, string> = {
  interval: 'INTERVAL_SECONDS',
  duration: 'DURATION_SECONDS',
  'late-by': 'LATE_BY_SECONDS',
  'out-of-order-max': 'OUT_OF_ORDER_MAX_SECONDS',
  city: 'CITY_FILE',
};

/**
 * Turns `--rate 500 --dump=out.jsonl --dry-run` into GENERATOR_* variables laid over the
 * environment, so flags and env go through the one validated config. Unknown flags are errors.
 */
export function withFlags(argv: readonly string[], source: EnvSource): EnvSource {
  const known = new Set(Object.keys(generatorEnv.shape));
  const out: EnvSource = { ...source };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m) {
      problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    const name = m[1];
    const variable = `GENERATOR_${ALIASES[name] ?? name.toUpperCase().replace(/-/g, '_')}`;
    if (!known.has(variable)) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      if (SWITCHES.has(name)) value = 'true';
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
      else {
        problems.push(`--${name} needs a value`);
        continue;
      }
    }
    out[variable] = value;
  }
  if (problems.length > 0) throw new FlagError(problems);
  return out;
}

export class FlagError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.join('\n')}\n\n${usage()}`);
    this.name = 'FlagError';
  }
}

export function usage(): string {
  const flags = Object.keys(generatorEnv.shape).map((v) => {
    const suffix = v.slice('GENERATOR_'.length);
    const alias = Object.entries(ALIASES).find(([, s]) => s === suffix)?.[0];
    return `  --${alias ?? suffix.toLowerCase().replace(/_/g, '-')}  (${v})`;
  });
  return `usage: sensor-generator [flags]   (each flag sets the variable in brackets; see README.md)\n${flags.join('\n')}`;
}
