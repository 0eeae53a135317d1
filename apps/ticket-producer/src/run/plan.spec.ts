import { loadConfig } from '@citypulse/config';
import { producerConfigSchema, withFlags } from '../config/producer.config';
import { testCity } from '../testing/city';
import { meanTicketsPerSecond } from '../tickets/ticket-model';
import { describePlan, planRun } from './plan';

const stack = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };
const NOW = Date.UTC(2024, 5, 15, 13, 0);
const plan = (...flags: string[]) =>
  planRun(loadConfig(producerConfigSchema, withFlags(flags, stack)).producer, testCity(), NOW);

describe('planRun', () => {
  it('runs in real time by default, paced by the simulated clock', () => {
    const p = plan();
    expect(p.timing.speedup).toBe(1);
    expect(p.timing.rate).toBeCloseTo(p.meanPerSecond, 9);
    expect(p.generation.startTime).toBe(NOW);
    expect(p.run.clock).toEqual({ speedup: 1, startTime: NOW });
  });

  it('derives the speed-up from a mean rate, and sends unpaced for max', () => {
    const p = plan('--rate', '20', '--tickets-per-hour', '360', '--burst-chance', '0');
    expect(p.meanPerSecond).toBeCloseTo(0.1, 9);
    expect(p.timing.speedup).toBeCloseTo(200, 6);
    expect(p.generation.startTime).toBe(Date.UTC(2024, 5, 8, 6));
    expect(p.run.clock?.speedup).toBeCloseTo(200, 6);
    expect(describePlan(p)).toContain('speedup=200.0x');
    const max = plan('--rate', 'max', '--events', '500', '--start', '2024-01-08T00:00:00Z');
    expect(max.run).toEqual({
      rate: Infinity,
      maxEvents: 500,
      maxDurationMs: Infinity,
      batchSize: 500,
    });
    expect(max.generation.startTime).toBe(Date.UTC(2024, 0, 8));
    expect(max.generation.model).toEqual({
      ticketsPerHour: 240,
      burstChancePerMinute: 0.003,
      burstFactor: 8,
    });
    expect(max.meanPerSecond).toBeCloseTo(meanTicketsPerSecond(max.generation.model), 12);
  });
});
