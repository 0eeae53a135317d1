import { defineConfig, kafkaEnv, schemaRegistryEnv } from '@citypulse/config';

/**
 * What the CLI reads from the environment: the same Kafka (brokers, SASL, TLS) and schema-registry
 * fragments every service reads, so it reaches the cluster exactly as they do.
 */
export const cliConfigSchema = defineConfig({
  kafka: kafkaEnv({ defaultClientId: 'citypulse-cli' }),
  registry: schemaRegistryEnv(),
});
