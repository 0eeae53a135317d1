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
    const p = plan(
      '--rate',
      '500',
      '--speedup',
      '60',
      '--duplicates',
      '0.01',
      '--streams',
      'traffic',
    );
    expect(p.timing).toEqual({ rate: 500, speedup: 60, intervalMs: 5_280 });
    expect(p.generation.streams).toEqual(['traffic']);
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

  it('counts every stream in the rate: sensors and vehicles per interval, incident reports on top', () => {
    const p = plan('--rate', '500', '--speedup', '60');
    expect(p.generation.streams).toEqual(['traffic', 'transport', 'incidents']);
    const vehicles = testCity().lines.reduce((n, l) => n + l.vehicles, 0);
    expect(p.load.reporters).toBe(testCity().sensors.length + vehicles);
    // ~2 incidents per zone per day of ~3.5 reports each: a few hundredths of a record per second
    expect(p.load.sporadicPerSecond).toBeGreaterThan(0.0005);
    expect(p.load.sporadicPerSecond).toBeLessThan(0.003);
    expect(p.timing.intervalMs).toBeCloseTo(
      (60 * p.load.reporters * 1000) / (500 - 60 * p.load.sporadicPerSecond),
      6,
    );
    expect(describePlan(p)).toContain('streams=traffic,transport,incidents');
    const quiet = plan(
      '--streams',
      'traffic,transport',
      '--incidents-per-day',
      '0',
      '--speedup',
      '1',
    );
    expect(quiet.load.sporadicPerSecond).toBe(0);
    expect(quiet.generation.incidentsPerZonePerDay).toBe(0);
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
