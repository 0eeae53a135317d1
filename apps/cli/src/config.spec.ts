import { loadConfig } from '@citypulse/config';
import { kafkaConfig } from '@citypulse/kafka';
import { cliConfigSchema } from './config';

const base = {
  KAFKA_BROKERS: 'broker-1:9094,broker-2:9094',
  SCHEMA_REGISTRY_URL: 'https://registry.example:8081/',
};

describe('cliConfigSchema', () => {
  it('reads the brokers and registry as the services do, with its own client id by default', () => {
    const c = loadConfig(cliConfigSchema, base);
    expect(c.kafka).toEqual({
      brokers: ['broker-1:9094', 'broker-2:9094'],
      clientId: 'citypulse-cli',
      ssl: false,
    });
    expect(c.registry.url).toBe('https://registry.example:8081');
  });

  it('hands SASL, TLS and registry auth to libs/kafka unchanged', () => {
    const c = loadConfig(cliConfigSchema, {
      ...base,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'ops',
      KAFKA_SASL_PASSWORD: 's3cret',
      KAFKA_SSL: 'true',
      SCHEMA_REGISTRY_USERNAME: 'reg',
      SCHEMA_REGISTRY_PASSWORD: 'pw',
    });
    const kafkajs = kafkaConfig(c.kafka);
    expect(kafkajs.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'ops',
      password: 's3cret',
    });
    expect(kafkajs.ssl).toBe(true);
    expect(c.registry.auth).toEqual({ username: 'reg', password: 'pw' });
  });
});
