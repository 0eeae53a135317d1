import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { env } from './env';

/** TLS options for the Kafka brokers (node:tls ConnectionOptions subset). */
export interface KafkaTlsOptions {
  rejectUnauthorized: boolean;
  ca?: string[];
  cert?: string;
  key?: string;
}

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** How to reach Kafka; matches libs/kafka's KafkaConnectionOptions. */
export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** false (plaintext), true (TLS with the system CAs) or TLS options. */
  ssl: boolean | KafkaTlsOptions;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/**
 * Kafka: KAFKA_BROKERS (host:port,...), KAFKA_CLIENT_ID, KAFKA_SASL_MECHANISM (PLAIN,
 * SCRAM-SHA-256, SCRAM-SHA-512; empty = none) with KAFKA_SASL_USERNAME/PASSWORD, KAFKA_SSL,
 * KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE, KAFKA_SSL_REJECT_UNAUTHORIZED.
 */
export function kafkaEnv(opts: { defaultClientId?: string } = {}) {
  return z
    .object({
      KAFKA_BROKERS: env.list().refine((l) => l.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
        message: 'expected host:port[,host:port...]',
      }),
      KAFKA_CLIENT_ID: env.string({ default: opts.defaultClientId ?? 'citypulse' }),
      KAFKA_SASL_MECHANISM: env.optional(env.oneOf(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])),
      KAFKA_SASL_USERNAME: env.optionalString(),
      KAFKA_SASL_PASSWORD: env.optionalString(),
      KAFKA_SSL: env.bool({ default: false }),
      KAFKA_SSL_CA_FILE: env.optionalString(),
      KAFKA_SSL_CERT_FILE: env.optionalString(),
      KAFKA_SSL_KEY_FILE: env.optionalString(),
      KAFKA_SSL_REJECT_UNAUTHORIZED: env.bool({ default: true }),
    })
    .transform((e, ctx): KafkaConfig => {
      const cfg: KafkaConfig = {
        brokers: e.KAFKA_BROKERS,
        clientId: e.KAFKA_CLIENT_ID,
        ssl: false,
      };
      if (e.KAFKA_SASL_MECHANISM) {
        for (const v of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
          if (!e[v])
            ctx.addIssue({
              code: 'custom',
              path: [v],
              message: 'required when KAFKA_SASL_MECHANISM is set',
            });
        }
        cfg.sasl = {
          mechanism: e.KAFKA_SASL_MECHANISM.toLowerCase() as SaslMechanism,
          username: e.KAFKA_SASL_USERNAME ?? '',
          password: e.KAFKA_SASL_PASSWORD ?? '',
        };
      } else if (e.KAFKA_SASL_USERNAME || e.KAFKA_SASL_PASSWORD) {
        ctx.addIssue({
          code: 'custom',
          path: ['KAFKA_SASL_MECHANISM'],
          message: 'required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
        });
      }
      const files = {
        ca: e.KAFKA_SSL_CA_FILE && readPem('KAFKA_SSL_CA_FILE', e.KAFKA_SSL_CA_FILE, ctx),
        cert: e.KAFKA_SSL_CERT_FILE && readPem('KAFKA_SSL_CERT_FILE', e.KAFKA_SSL_CERT_FILE, ctx),
        key: e.KAFKA_SSL_KEY_FILE && readPem('KAFKA_SSL_KEY_FILE', e.KAFKA_SSL_KEY_FILE, ctx),
      };
      const anyFile = files.ca || files.cert || files.key;
      if (e.KAFKA_SSL && (anyFile || !e.KAFKA_SSL_REJECT_UNAUTHORIZED)) {
        const tls: KafkaTlsOptions = { rejectUnauthorized: e.KAFKA_SSL_REJECT_UNAUTHORIZED };
        if (files.ca) tls.ca = [files.ca];
        if (files.cert) tls.cert = files.cert;
        if (files.key) tls.key = files.key;
        cfg.ssl = tls;
      } else if (e.KAFKA_SSL) {
        cfg.ssl = true;
      } else if (anyFile) {
        ctx.addIssue({
          code: 'custom',
          path: ['KAFKA_SSL'],
          message: 'must be true when a KAFKA_SSL_*_FILE is set',
        });
      }
      return cfg;
    });
}

function readPem(variable: string, path: string, ctx: z.RefinementCtx): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    ctx.addIssue({
      code: 'custom',
      path: [variable],
      message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    });
    return undefined;
  }
}

/** Schema registry; `url` and `auth` map to @kafkajs/confluent-schema-registry's host and auth. */
export interface SchemaRegistryConfig {
  url: string;
  auth?: { username: string; password: string };
  /** Compatibility level to set on the subjects this service registers (default BACKWARD). */
  compatibility?: RegistryCompatibility;
}

export const REGISTRY_COMPATIBILITIES = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type RegistryCompatibility = (typeof REGISTRY_COMPATIBILITIES)[number];

/**
 * Schema registry: SCHEMA_REGISTRY_URL, SCHEMA_REGISTRY_USERNAME/PASSWORD (basic auth, optional),
 * SCHEMA_REGISTRY_COMPATIBILITY (default BACKWARD).
 */
export function schemaRegistryEnv() {
  return z
    .object({
      SCHEMA_REGISTRY_URL: env.url({ protocols: ['http', 'https'] }),
      SCHEMA_REGISTRY_USERNAME: env.optionalString(),
      SCHEMA_REGISTRY_PASSWORD: env.optionalString(),
      SCHEMA_REGISTRY_COMPATIBILITY: env.oneOf(REGISTRY_COMPATIBILITIES, { default: 'BACKWARD' }),
    })
    .transform((e, ctx): SchemaRegistryConfig => {
      const cfg: SchemaRegistryConfig = {
        url: e.SCHEMA_REGISTRY_URL.replace(/\/+$/, ''),
        compatibility: e.SCHEMA_REGISTRY_COMPATIBILITY,
      };
      const { SCHEMA_REGISTRY_USERNAME: username, SCHEMA_REGISTRY_PASSWORD: password } = e;
      if (username && password) cfg.auth = { username, password };
      else if (username || password) {
        const missing = username ? 'SCHEMA_REGISTRY_PASSWORD' : 'SCHEMA_REGISTRY_USERNAME';
        ctx.addIssue({
          code: 'custom',
          path: [missing],
          message: 'basic auth needs both a username and a password',
        });
      }
      return cfg;
    });
}

export interface MongoConfig {
  url: string;
  db: string;
}

/** MongoDB: MONGO_URL, MONGO_DB (default citypulse). */
export function mongoEnv() {
  return z
    .object({
      MONGO_URL: env.url({ protocols: ['mongodb', 'mongodb+srv'] }),
      MONGO_DB: env.string({ default: 'citypulse' }),
    })
    .transform((e): MongoConfig => ({ url: e.MONGO_URL, db: e.MONGO_DB }));
}

/** PostgreSQL; matches libs/postgres's PostgresConfig. */
export interface PostgresConfig {
  url: string;
  poolMax?: number;
  applicationName?: string;
}

/** PostgreSQL: POSTGRES_URL, POSTGRES_POOL_MAX (optional). */
export function postgresEnv(opts: { applicationName?: string } = {}) {
  return z
    .object({
      POSTGRES_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
      POSTGRES_POOL_MAX: env.optional(env.int({ min: 1, max: 1000 })),
    })
    .transform((e): PostgresConfig => {
      const cfg: PostgresConfig = { url: e.POSTGRES_URL };
      if (e.POSTGRES_POOL_MAX !== undefined) cfg.poolMax = e.POSTGRES_POOL_MAX;
      if (opts.applicationName) cfg.applicationName = opts.applicationName;
      return cfg;
    });
}

/** The interface every HTTP port of a service binds when BIND_HOST is not set: this host only. */
const DEFAULT_BIND_HOST = '127.0.0.1';

export interface MetricsConfig {
  /** Port of the /metrics and /health server (0 = any free port). */
  port: number;
  /**
   * BIND_HOST: the interface this port and the service's other HTTP ports (REST) listen on.
   * 127.0.0.1 by default, so a native stack shows nothing beyond the host; a container sets
   * 0.0.0.0 for its published ports and the Prometheus beside it.
   */
  host: string;
}

/** The metrics/health port from a service's own variable, e.g. metricsEnv('NORMALIZER_METRICS_PORT'). */
export function metricsEnv(variable: string, opts: { default?: number } = {}) {
  return z
    .object({ [variable]: env.port(opts) })
    .and(z.object({ BIND_HOST: env.string({ default: DEFAULT_BIND_HOST }) }))
    .transform((e): MetricsConfig => ({ port: e[variable], host: e.BIND_HOST }));
}

export interface ConsumerLimitsConfig {
  /** The largest record (key + value bytes) the service's consumers take; larger ones go to the DLQ. */
  maxRecordBytes: number;
}

/** 1 MiB: the broker's own default record limit (message.max.bytes, 1,048,588) keeps it in step. */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_576;

/**
 * A consuming service's record size limit from its own variable, e.g.
 * consumerLimitsEnv('NORMALIZER_MAX_RECORD_BYTES'): 1 KiB to 64 MiB, default 1 MiB. Over it, a
 * record goes to the DLQ as too_large without being decoded (libs/kafka's `maxRecordBytes`).
 */
export function consumerLimitsEnv(variable: string) {
  return z
    .object({
      [variable]: env.int({ min: 1_024, max: 64 * 1_048_576, default: DEFAULT_MAX_RECORD_BYTES }),
    })
    .transform((e): ConsumerLimitsConfig => ({ maxRecordBytes: e[variable] }));
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogConfig {
  level: LogLevel;
}

/** LOG_LEVEL: fatal, error, warn, info (default), debug, trace, silent. */
export function logEnv() {
  return z
    .object({ LOG_LEVEL: env.oneOf(LOG_LEVELS, { default: 'info' }) })
    .transform((e): LogConfig => ({ level: e.LOG_LEVEL }));
}
