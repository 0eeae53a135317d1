import { loadConfig } from '@citypulse/config';
import { normalizerConfigSchema } from './normalizer.config';

const stack = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  POSTGRES_URL: 'postgres://u:p@127.0.0.1:5432/db',
};

describe('normalizer config', () => {
  it('defaults to the traffic worker', () => {
    const cfg = loadConfig(normalizerConfigSchema, stack);
    expect(cfg.normalizer).toMatchObject({
      NORMALIZER_WORKER: 'traffic',
      NORMALIZER_DEDUP_TTL_SECONDS: 600,
      NORMALIZER_MIGRATE: true,
    });
    expect(cfg.postgres.applicationName).toBe('normalizer');
    expect(cfg.metrics.port).toBe(9465);
  });

  it('lists every bad variable', () => {
    expect(() =>
      loadConfig(normalizerConfigSchema, {
        ...stack,
        NORMALIZER_WORKER: 'boats',
        NORMALIZER_MAX_BATCH: '0',
      }),
    ).toThrow(
      /NORMALIZER_WORKER[\s\S]*NORMALIZER_MAX_BATCH|NORMALIZER_MAX_BATCH[\s\S]*NORMALIZER_WORKER/,
    );
  });
});
