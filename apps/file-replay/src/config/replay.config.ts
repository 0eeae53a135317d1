import { env, type EnvSource } from '@citypulse/config';
import {
  decimal,
  simulationConfig,
  usage as flagUsage,
  withFlags as layFlags,
  type FlagSpec,
} from '@citypulse/simulation';
import { z } from 'zod';
import { FILE_FORMATS, formatOfPath } from '../rows/rows';
import type { ReplayOptions } from '../replay/replay';
import { REPLAY_STREAMS } from '../streams';

export const PACES = ['recorded', 'max'] as const;
export type Pace = (typeof PACES)[number];

/** The replay's own variables; every REPLAY_* one is also a flag (--stream, --file, ...). */
const replayShape = {
  REPLAY_STREAM: env.oneOf(REPLAY_STREAMS),
  REPLAY_FILE: env.string(),
  REPLAY_FORMAT: env.optional(env.oneOf(FILE_FORMATS)),
  REPLAY_PACE: env.oneOf(PACES, { default: 'recorded' }),
  REPLAY_SPEED: decimal({ min: 0.001, default: 1 }),
  REPLAY_TOPIC: env.optionalString(),
  REPLAY_LIMIT: env.int({ min: 0, default: 0 }),
  REPLAY_BATCH_SIZE: env.int({ min: 1, max: 100_000, default: 500 }),
  REPLAY_DRY_RUN: env.bool({ default: false }),
};

export const replayEnv = z
  .object({
    ...replayShape,
    // pnpm sets it to the folder it was started from: a relative --file is taken from there
    INIT_CWD: env.optionalString(),
  })
  .superRefine((r, ctx) => {
    if (r.REPLAY_FORMAT === undefined && formatOfPath(r.REPLAY_FILE) === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['REPLAY_FORMAT'],
        message: `the file's extension is not .csv, .jsonl or .ndjson: give the format (${FILE_FORMATS.join(', ')})`,
      });
    }
  });

export const replayConfigSchema = simulationConfig({
  clientId: 'file-replay',
  // a command, not a service: any free port unless one is asked for
  metricsPort: { variable: 'FILE_REPLAY_METRICS_PORT', default: 0 },
  section: 'replay',
  env: replayEnv,
});

export type ReplayConfig = z.output<typeof replayConfigSchema>;

export const REPLAY_FLAGS: FlagSpec = {
  command: 'file-replay',
  prefix: 'REPLAY_',
  variables: Object.keys(replayShape),
  switches: ['dry-run'],
};

/** `--stream traffic --file x.csv --dry-run` as REPLAY_* variables over the environment. */
export function withFlags(argv: readonly string[], source: EnvSource): EnvSource {
  return layFlags(argv, source, REPLAY_FLAGS);
}

export function usage(): string {
  return flagUsage(REPLAY_FLAGS);
}

/** The replay's options from its validated config section; a relative file is taken from `cwd`. */
export function replayOptions(r: ReplayConfig['replay'], cwd: string): ReplayOptions {
  return {
    stream: r.REPLAY_STREAM,
    file: r.REPLAY_FILE,
    baseDir: r.INIT_CWD ?? cwd,
    format: r.REPLAY_FORMAT,
    pace: r.REPLAY_PACE,
    speed: r.REPLAY_SPEED ?? 1,
    topic: r.REPLAY_TOPIC,
    limit: r.REPLAY_LIMIT,
    batchSize: r.REPLAY_BATCH_SIZE,
    dryRun: r.REPLAY_DRY_RUN,
  };
}
