import {
  consumerLimitsEnv,
  defineConfig,
  env,
  kafkaEnv,
  logEnv,
  metricsEnv,
  mongoEnv,
  postgresEnv,
  schemaRegistryEnv,
} from '@citypulse/config';
import { z } from 'zod';

/** Settings of the aggregation sink besides the shared connections. */
export interface SinkSettings {
  /** REST read API port */
  httpPort: number;
  groupId: string;
  /**
   * Attempts at writing a batch before the process gives up and exits non-zero (a supervisor
   * restarts it from the last committed offset). With the backoff below, the default rides out
   * a database outage of about five minutes.
   */
  writeMaxAttempts: number;
  /** run the PostgreSQL migrations at start (safe from several instances at once) */
  migrate: boolean;
}

function sinkEnv() {
  return z
    .object({
      AGGREGATION_SINK_HTTP_PORT: env.port({ default: 8088 }),
      AGGREGATION_SINK_GROUP_ID: env.string({ default: 'aggregation-sink' }),
      AGGREGATION_SINK_WRITE_MAX_ATTEMPTS: env.int({ default: 25, min: 1, max: 1000 }),
      AGGREGATION_SINK_MIGRATE: env.bool({ default: true }),
    })
    .transform((e): SinkSettings => ({
      httpPort: e.AGGREGATION_SINK_HTTP_PORT,
      groupId: e.AGGREGATION_SINK_GROUP_ID,
      writeMaxAttempts: e.AGGREGATION_SINK_WRITE_MAX_ATTEMPTS,
      migrate: e.AGGREGATION_SINK_MIGRATE,
    }));
}

export const sinkConfigSchema = defineConfig({
  kafka: kafkaEnv({ defaultClientId: 'aggregation-sink' }),
  registry: schemaRegistryEnv(),
  mongo: mongoEnv(),
  postgres: postgresEnv({ applicationName: 'aggregation-sink' }),
  metrics: metricsEnv('AGGREGATION_SINK_METRICS_PORT', { default: 9466 }),
  log: logEnv(),
  limits: consumerLimitsEnv('AGGREGATION_SINK_MAX_RECORD_BYTES'),
  sink: sinkEnv(),
});

export type SinkConfig = z.output<typeof sinkConfigSchema>;
