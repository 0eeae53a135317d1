import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';

/** How to reach Kafka: the shape of libs/config's kafka fragment. */
export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** true, or TLS options (CA, client cert) for the brokers. */
  ssl?: boolean | ConnectionOptions;
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  logLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
}

const LEVELS = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
} as const;

export function kafkaConfig(opts: KafkaConnectionOptions): KafkaConfig {
  const cfg: KafkaConfig = {
    brokers: opts.brokers,
    clientId: opts.clientId,
    connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    logLevel: LEVELS[opts.logLevel ?? 'error'],
  };
  if (opts.ssl) cfg.ssl = opts.ssl;
  if (opts.sasl) {
    const { mechanism, username, password } = opts.sasl;
    cfg.sasl = { mechanism, username, password } as SASLOptions;
  }
  return cfg;
}

export function createKafka(opts: KafkaConnectionOptions | Kafka): Kafka {
  return opts instanceof Kafka ? opts : new Kafka(kafkaConfig(opts));
}
