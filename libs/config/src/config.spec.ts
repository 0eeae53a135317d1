import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ConfigError,
  consumerLimitsEnv,
  defineConfig,
  env,
  kafkaEnv,
  loadConfig,
  loadConfigOrExit,
  logEnv,
  metricsEnv,
  mongoEnv,
  postgresEnv,
  schemaRegistryEnv,
} from './index';

const appConfig = defineConfig({
  kafka: kafkaEnv({ defaultClientId: 'normalizer' }),
  registry: schemaRegistryEnv(),
  mongo: mongoEnv(),
  postgres: postgresEnv(),
  metrics: metricsEnv('NORMALIZER_METRICS_PORT'),
  log: logEnv(),
  app: z.object({
    NORMALIZER_SOURCE: env.oneOf(['traffic', 'transport']),
    BATCH: env.int({ default: 500, min: 1 }),
  }),
});

const good = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.2:9092',
  KAFKA_SASL_MECHANISM: '',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
  KAFKA_SSL: 'false',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/',
  SCHEMA_REGISTRY_USERNAME: '',
  MONGO_URL: 'mongodb://127.0.0.1:27017/',
  POSTGRES_URL: 'postgres://citypulse:s3cret@127.0.0.1:5432/citypulse',
  NORMALIZER_METRICS_PORT: '9465',
  NORMALIZER_SOURCE: 'Traffic',
  UNRELATED: 'x',
};

function problemsOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns one typed object from the environment, defaults filled', () => {
    const cfg = loadConfig(appConfig, good);
    expect(cfg).toEqual({
      kafka: { brokers: ['127.0.0.1:9092', '127.0.0.2:9092'], clientId: 'normalizer', ssl: false },
      registry: { url: 'http://127.0.0.1:8081', compatibility: 'BACKWARD' },
      mongo: { url: 'mongodb://127.0.0.1:27017/', db: 'citypulse' },
      postgres: { url: 'postgres://citypulse:s3cret@127.0.0.1:5432/citypulse' },
      metrics: { port: 9465, host: '127.0.0.1' },
      log: { level: 'info' },
      app: { NORMALIZER_SOURCE: 'traffic', BATCH: 500 },
    });
  });

  it('binds the HTTP ports where BIND_HOST says (a container: 0.0.0.0)', () => {
    expect(loadConfig(appConfig, { ...good, BIND_HOST: '0.0.0.0' }).metrics).toEqual({
      port: 9465,
      host: '0.0.0.0',
    });
  });

  it('lists every bad or missing variable in one error', () => {
    const err = problemsOf(() =>
      loadConfig(appConfig, {
        ...good,
        KAFKA_BROKERS: '',
        SCHEMA_REGISTRY_URL: 'not a url',
        MONGO_URL: undefined,
        NORMALIZER_METRICS_PORT: '70000',
        LOG_LEVEL: 'loud',
        NORMALIZER_SOURCE: 'boats',
        BATCH: '0',
      }),
    );
    expect(err.problems.map((p) => p.variable).sort()).toEqual(
      [
        'BATCH',
        'KAFKA_BROKERS',
        'LOG_LEVEL',
        'MONGO_URL',
        'NORMALIZER_METRICS_PORT',
        'NORMALIZER_SOURCE',
        'SCHEMA_REGISTRY_URL',
      ].sort(),
    );
    expect(err.message).toContain('7 problems');
    expect(err.message).toContain('KAFKA_BROKERS: required');
    expect(err.message).toContain(
      'NORMALIZER_METRICS_PORT: expected an integer from 0 to 65535 (got "70000")',
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.retriable).toBe(false);
  });

  it('configures SASL/SCRAM and requires its credentials', () => {
    const cfg = loadConfig(appConfig, {
      ...good,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_SSL: 'true',
    });
    expect(cfg.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'pw' });
    expect(cfg.kafka.ssl).toBe(true);

    const err = problemsOf(() =>
      loadConfig(appConfig, { ...good, KAFKA_SASL_MECHANISM: 'scram-sha-256' }),
    );
    expect(err.problems).toEqual([
      { variable: 'KAFKA_SASL_USERNAME', message: 'required when KAFKA_SASL_MECHANISM is set' },
      { variable: 'KAFKA_SASL_PASSWORD', message: 'required when KAFKA_SASL_MECHANISM is set' },
    ]);
  });

  it('reads TLS files and reports unreadable ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const cfg = loadConfig(appConfig, {
      ...good,
      KAFKA_SSL: 'yes',
      KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
    });
    expect(cfg.kafka.ssl).toEqual({ rejectUnauthorized: true, ca: ['CA'] });
    const err = problemsOf(() =>
      loadConfig(appConfig, {
        ...good,
        KAFKA_SSL: 'true',
        KAFKA_SSL_KEY_FILE: join(dir, 'missing.pem'),
      }),
    );
    expect(err.problems[0]).toMatchObject({ variable: 'KAFKA_SSL_KEY_FILE' });
    expect(err.problems[0].message).toContain('ENOENT');
  });

  it('takes registry basic auth only as a pair', () => {
    const cfg = loadConfig(appConfig, {
      ...good,
      SCHEMA_REGISTRY_USERNAME: 'u',
      SCHEMA_REGISTRY_PASSWORD: 'p',
    });
    expect(cfg.registry.auth).toEqual({ username: 'u', password: 'p' });
    const err = problemsOf(() => loadConfig(appConfig, { ...good, SCHEMA_REGISTRY_USERNAME: 'u' }));
    expect(err.problems.map((p) => p.variable)).toEqual(['SCHEMA_REGISTRY_PASSWORD']);
  });

  it('never puts a secret value in an error', () => {
    const err = problemsOf(() =>
      loadConfig(
        defineConfig({
          postgres: postgresEnv(),
          x: z.object({ API_TOKEN: env.int() }),
          kafka: kafkaEnv(),
        }),
        {
          POSTGRES_URL: 'mysql://admin:hunter2@db',
          API_TOKEN: 'tok-hunter3',
          KAFKA_BROKERS: 'b:1',
          KAFKA_SASL_MECHANISM: 'GSSAPI',
          KAFKA_SASL_PASSWORD: 'hunter4',
        },
      ),
    );
    expect(err.message).toContain('POSTGRES_URL');
    expect(err.message).toContain('API_TOKEN: expected an integer (value hidden)');
    expect(err.message).not.toMatch(/hunter/);
  });

  it('parses booleans strictly', () => {
    const s = z.object({ A: env.bool(), B: env.bool({ default: true }), C: env.bool() });
    expect(loadConfig(s, { A: 'ON', C: '0' })).toEqual({ A: true, B: true, C: false });
    expect(problemsOf(() => loadConfig(s, { A: 'maybe', C: 'false' })).problems).toEqual([
      { variable: 'A', message: 'expected true or false (got "maybe")' },
    ]);
  });

  it("takes a consumer's record size limit from its own variable, 1 MiB by default", () => {
    const s = defineConfig({ limits: consumerLimitsEnv('SINK_MAX_RECORD_BYTES') });
    expect(loadConfig(s, {})).toEqual({ limits: { maxRecordBytes: 1_048_576 } });
    expect(loadConfig(s, { SINK_MAX_RECORD_BYTES: '65536' }).limits.maxRecordBytes).toBe(65_536);
    expect(problemsOf(() => loadConfig(s, { SINK_MAX_RECORD_BYTES: '10' })).problems).toEqual([
      {
        variable: 'SINK_MAX_RECORD_BYTES',
        message: 'expected an integer from 1024 to 67108864 (got "10")',
      },
    ]);
  });

  it('reads process.env by default', () => {
    expect(loadConfig(z.object({ PATH: env.string() })).PATH.length).toBeGreaterThan(0);
  });
});

describe('loadConfigOrExit', () => {
  it('prints every problem and exits non-zero', () => {
    let out = '';
    const exit = jest.fn((code: number): never => {
      throw new Error(`exit ${code}`);
    });
    expect(() => loadConfigOrExit(appConfig, {}, { write: (t) => (out += t), exit })).toThrow(
      'exit 78',
    );
    expect(out).toContain('KAFKA_BROKERS: required');
    expect(out).toContain('SCHEMA_REGISTRY_URL: required');
    expect(out).toContain('NORMALIZER_SOURCE: required');
  });
});
