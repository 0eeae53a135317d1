import { join } from 'node:path';
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

/** The rules file shipped with the app (thresholds of every rule, overridable per zone or line). */
export const DEFAULT_RULES_FILE = join(__dirname, '..', 'rules', 'alerting-rules.yaml');

/** Settings of the alerting service besides the shared connections. */
export interface AlertingSettings {
  /** REST API port (open alerts, history, acknowledge) */
  httpPort: number;
  /** consumer group of the rule evaluation; the store and each webhook receiver use `<groupId>-…` */
  groupId: string;
  /** YAML or JSON rules file, validated at start */
  rulesFile: string;
  /** records per evaluation call; small keeps event-to-alert latency low */
  maxBatchRecords: number;
  partitionsConcurrently: number;
  /** the alerts producer waits at most this long for more alerts before sending */
  lingerMs: number;
  /** receivers of the JSON POSTs */
  webhookUrls: string[];
  /** HMAC-SHA256 key of the X-Citypulse-Signature header (required when webhooks are set) */
  webhookSecret: string | undefined;
  /** delivery attempts of one notification before it goes to the alerts DLQ */
  webhookMaxAttempts: number;
  webhookTimeoutMs: number;
  /** apply the PostgreSQL migrations at start */
  migrate: boolean;
  /** where a new consumer group starts on the normalized topics (default: their end, i.e. now) */
  fromBeginning: boolean;
}

function alertingEnv() {
  return z
    .object({
      ALERTING_HTTP_PORT: env.port({ default: 8089 }),
      ALERTING_GROUP_ID: env.string({ default: 'alerting' }),
      ALERTING_RULES_FILE: env.string({ default: DEFAULT_RULES_FILE }),
      ALERTING_MAX_BATCH: env.int({ min: 1, max: 50_000, default: 500 }),
      ALERTING_PARTITIONS_CONCURRENTLY: env.int({ min: 1, max: 64, default: 3 }),
      ALERTING_LINGER_MS: env.int({ min: 0, max: 1_000, default: 1 }),
      ALERTING_WEBHOOK_URLS: env.list({ default: [] }),
      ALERTING_WEBHOOK_SECRET: env.optionalString(),
      ALERTING_WEBHOOK_MAX_ATTEMPTS: env.int({ min: 1, max: 100, default: 8 }),
      ALERTING_WEBHOOK_TIMEOUT_MS: env.int({ min: 100, max: 120_000, default: 5_000 }),
      ALERTING_MIGRATE: env.bool({ default: true }),
      ALERTING_FROM_BEGINNING: env.bool({ default: false }),
    })
    .superRefine((e, ctx) => {
      for (const u of e.ALERTING_WEBHOOK_URLS) {
        if (!/^https?:\/\/[^\s]+$/.test(u) || !URL.canParse(u)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['ALERTING_WEBHOOK_URLS'],
            message: `not an http(s) URL: ${u}`,
          });
        }
      }
      if (e.ALERTING_WEBHOOK_URLS.length > 0 && !e.ALERTING_WEBHOOK_SECRET) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['ALERTING_WEBHOOK_SECRET'],
          message: 'required when ALERTING_WEBHOOK_URLS is set (the receivers check the signature)',
        });
      }
    })
    .transform((e): AlertingSettings => ({
      httpPort: e.ALERTING_HTTP_PORT,
      groupId: e.ALERTING_GROUP_ID,
      rulesFile: e.ALERTING_RULES_FILE,
      maxBatchRecords: e.ALERTING_MAX_BATCH,
      partitionsConcurrently: e.ALERTING_PARTITIONS_CONCURRENTLY,
      lingerMs: e.ALERTING_LINGER_MS,
      webhookUrls: e.ALERTING_WEBHOOK_URLS,
      webhookSecret: e.ALERTING_WEBHOOK_SECRET,
      webhookMaxAttempts: e.ALERTING_WEBHOOK_MAX_ATTEMPTS,
      webhookTimeoutMs: e.ALERTING_WEBHOOK_TIMEOUT_MS,
      migrate: e.ALERTING_MIGRATE,
      fromBeginning: e.ALERTING_FROM_BEGINNING,
    }));
}

export const alertingConfigSchema = defineConfig({
  kafka: kafkaEnv({ defaultClientId: 'alerting' }),
  registry: schemaRegistryEnv(),
  postgres: postgresEnv({ applicationName: 'alerting' }),
  metrics: metricsEnv('ALERTING_METRICS_PORT', { default: 9469 }),
  log: logEnv(),
  limits: consumerLimitsEnv('ALERTING_MAX_RECORD_BYTES'),
  alerting: alertingEnv(),
});

export type AlertingConfig = z.output<typeof alertingConfigSchema>;
