import { loadConfig } from '@citypulse/config';
import { generatorConfigSchema, withFlags } from '../config/generator.config';
import { testCity } from '../testing/city';
import { describePlan, planRun } from './plan';

const stack = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };
const NOW = Date.UTC(2024, 5, 15, 13, 0);
const plan = (...flags: string[]) =>
  planRun(loadConfig(generatorConfigSchema, withFlags(flags, stack)).generator, testCity(), NOW);

describe('planRun', () => {
  it('runs a demo with the clock sped up: 500 events/s, 60x, from a week ago at 06:00', () => {
    const p = plan('--rate', '500', '--speedup', '60', '--duplicates', '0.01');
    expect(p.timing).toEqual({ rate: 500, speedup: 60, intervalMs: 5_280 });
    expect(p.generation.startTime).toBe(Date.UTC(2024, 5, 8, 6));
    expect(p.generation.faults).toMatchObject({ duplicates: 0.01, lateByMs: 1_800_000 });
    expect(p.run).toEqual({
      rate: 500,
      maxEvents: Infinity,
      maxDurationMs: Infinity,
      batchSize: 1_000,
    });
    expect(describePlan(p)).toContain('speedup=60.0x');
  });

  it('bounds a run by events or seconds and runs unpaced for max', () => {
    const p = plan(
      '--rate',
      'max',
      '--events',
      '1000',
      '--duration',
      '30',
      '--start',
      '2024-01-08T00:00:00Z',
    );
    expect(p.run).toMatchObject({ rate: Infinity, maxEvents: 1000, maxDurationMs: 30_000 });
    expect(p.generation.startTime).toBe(Date.UTC(2024, 0, 8));
    expect(describePlan(p)).toContain('rate=max');
  });
});
