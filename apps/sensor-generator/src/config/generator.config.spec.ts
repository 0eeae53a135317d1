import { loadConfig } from '@citypulse/config';
import { FlagError, generatorConfigSchema, withFlags } from './generator.config';

const stack = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
};

describe('generator config', () => {
  it('has sensible defaults', () => {
    const cfg = loadConfig(generatorConfigSchema, stack);
    expect(cfg.generator).toMatchObject({
      GENERATOR_SEED: 'citypulse',
      GENERATOR_EVENTS: 0,
      GENERATOR_DUPLICATES: 0,
      GENERATOR_LATE_BY_SECONDS: 1800,
      GENERATOR_DRY_RUN: false,
    });
    expect(cfg.generator.GENERATOR_RATE).toBeUndefined();
    expect(cfg.generator.GENERATOR_STREAMS).toEqual(['traffic', 'transport', 'incidents']);
    expect(cfg.generator.GENERATOR_INCIDENTS_PER_DAY).toBe(2);
    expect(cfg.metrics.port).toBe(9464);
    expect(cfg.kafka.clientId).toBe('sensor-generator');
  });

  it('takes flags over the environment', () => {
    const env = withFlags(
      [
        '--',
        '--rate',
        'max',
        '--speedup=60',
        '--events',
        '1000',
        '--dump',
        'out.jsonl',
        '--dry-run',
        '--late-by',
        '900',
        '--duplicates',
        '0.05',
      ],
      { ...stack, GENERATOR_RATE: '10', GENERATOR_SEED: 'x' },
    );
    const cfg = loadConfig(generatorConfigSchema, env);
    expect(cfg.generator).toMatchObject({
      GENERATOR_SEED: 'x',
      GENERATOR_RATE: Infinity,
      GENERATOR_SPEEDUP: 60,
      GENERATOR_EVENTS: 1000,
      GENERATOR_DUMP: 'out.jsonl',
      GENERATOR_DRY_RUN: true,
      GENERATOR_LATE_BY_SECONDS: 900,
      GENERATOR_DUPLICATES: 0.05,
    });
    expect(
      loadConfig(generatorConfigSchema, withFlags(['--rate', '0'], stack)).generator.GENERATOR_RATE,
    ).toBe(Infinity);
  });

  it('chooses the streams', () => {
    const streams = (v: string) =>
      loadConfig(generatorConfigSchema, withFlags(['--streams', v], stack)).generator
        .GENERATOR_STREAMS;
    expect(streams('incidents, Traffic')).toEqual(['traffic', 'incidents']);
    expect(streams('transport,transport')).toEqual(['transport']);
    expect(() => streams('traffic,tickets')).toThrow(
      /GENERATOR_STREAMS: expected a comma-separated/,
    );
    expect(() =>
      loadConfig(
        generatorConfigSchema,
        withFlags(['--streams', 'incidents', '--incidents-per-day', '0'], stack),
      ),
    ).toThrow(/GENERATOR_INCIDENTS_PER_DAY: is 0 while incidents are the only stream/);
  });

  it('lists unknown flags and bad values', () => {
    expect(() => withFlags(['--speed', '3', 'oops', '--rate'], stack)).toThrow(FlagError);
    try {
      withFlags(['--speed', '3', 'oops', '--rate'], stack);
    } catch (e) {
      expect((e as FlagError).problems).toEqual([
        'unknown flag --speed',
        'unexpected argument "3"',
        'unexpected argument "oops"',
        '--rate needs a value',
      ]);
    }
    expect(() =>
      loadConfig(generatorConfigSchema, {
        ...stack,
        GENERATOR_DUPLICATES: '1.5',
        GENERATOR_RATE: 'fast',
      }),
    ).toThrow(
      /GENERATOR_DUPLICATES[\s\S]*GENERATOR_RATE|GENERATOR_RATE[\s\S]*GENERATOR_DUPLICATES/,
    );
  });
});
