import {
  consumerLimitsEnv,
  defineConfig,
  env,
  kafkaEnv,
  logEnv,
  metricsEnv,
  postgresEnv,
  schemaRegistryEnv,
} from '@citypulse/config';
import { z } from 'zod';

/** The sources a normalizer worker can serve; one process runs one worker. */
export const WORKER_NAMES = ['traffic', 'transport', 'incidents', 'tickets'] as const;
export type WorkerName = (typeof WORKER_NAMES)[number];

export const normalizerEnv = z.object({
  /** which source this process normalizes */
  NORMALIZER_WORKER: env.oneOf(WORKER_NAMES, { default: 'traffic' }),
  /** consumer group; instances with the same group share the partitions (default normalizer-<worker>) */
  NORMALIZER_GROUP_ID: env.optionalString(),
  NORMALIZER_DEDUP_TTL_SECONDS: env.int({ min: 1, default: 600 }),
  NORMALIZER_DEDUP_MAX_ENTRIES: env.int({ min: 1, default: 500_000 }),
  NORMALIZER_REFERENCE_REFRESH_SECONDS: env.int({ min: 0, default: 60 }),
  /** records per handler call (offsets are committed between calls) */
  NORMALIZER_MAX_BATCH: env.int({ min: 1, max: 50_000, default: 2_000 }),
  /** partitions handled at once in this process */
  NORMALIZER_PARTITIONS_CONCURRENTLY: env.int({ min: 1, max: 64, default: 3 }),
  /**
   * bytes fetched per partition in one fetch (a whole fetch is decoded and held at once; at 2 MiB
   * a drain held ~60,000 records per fetch and the process grew to 450 MB RSS; 512 KiB costs no
   * throughput). A record larger than this still comes, alone.
   */
  NORMALIZER_FETCH_BYTES_PER_PARTITION: env.int({ min: 16_384, max: 67_108_864, default: 524_288 }),
  /** apply the PostgreSQL migrations and seed at start (safe from many instances: advisory lock) */
  NORMALIZER_MIGRATE: env.bool({ default: true }),
});

export const normalizerConfigSchema = defineConfig({
  kafka: kafkaEnv({ defaultClientId: 'normalizer' }),
  registry: schemaRegistryEnv(),
  postgres: postgresEnv({ applicationName: 'normalizer' }),
  metrics: metricsEnv('NORMALIZER_METRICS_PORT', { default: 9465 }),
  log: logEnv(),
  limits: consumerLimitsEnv('NORMALIZER_MAX_RECORD_BYTES'),
  normalizer: normalizerEnv,
});

export type NormalizerConfig = z.output<typeof normalizerConfigSchema>;
