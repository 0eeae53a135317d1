export { env, type EnvSource } from './env';
export {
  ConfigError,
  defineConfig,
  loadConfig,
  loadConfigOrExit,
  type ConfigProblem,
  type ConfigSchema,
  type ExitHooks,
} from './load';
export {
  DEFAULT_MAX_RECORD_BYTES,
  LOG_LEVELS,
  REGISTRY_COMPATIBILITIES,
  consumerLimitsEnv,
  kafkaEnv,
  logEnv,
  metricsEnv,
  mongoEnv,
  postgresEnv,
  schemaRegistryEnv,
  type ConsumerLimitsConfig,
  type KafkaConfig,
  type KafkaTlsOptions,
  type LogConfig,
  type LogLevel,
  type MetricsConfig,
  type MongoConfig,
  type PostgresConfig,
  type RegistryCompatibility,
  type SaslMechanism,
  type SchemaRegistryConfig,
} from './fragments';
export { REDACTED, isSecretKey, redact, redactString, redactedJson } from './redact';
export { loadRepoEnvFiles } from './env-files';
