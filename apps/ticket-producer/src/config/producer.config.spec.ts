import { loadConfig } from '@citypulse/config';
import { FlagError, producerConfigSchema, usage, withFlags } from './producer.config';

const stack = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };

describe('producer config', () => {
  it('has sensible defaults', () => {
    const cfg = loadConfig(producerConfigSchema, stack);
    expect(cfg.producer).toMatchObject({
      TICKET_PRODUCER_SEED: 'citypulse',
      TICKET_PRODUCER_EVENTS: 0,
      TICKET_PRODUCER_BATCH_SIZE: 500,
      TICKET_PRODUCER_TICKETS_PER_HOUR: 240,
      TICKET_PRODUCER_BURST_CHANCE: 0.003,
      TICKET_PRODUCER_BURST_FACTOR: 8,
      TICKET_PRODUCER_DRY_RUN: false,
    });
    expect(cfg.metrics.port).toBe(9468);
    expect(cfg.kafka.clientId).toBe('ticket-producer');
  });

  it('takes flags over the environment and lists every bad value', () => {
    const cfg = loadConfig(
      producerConfigSchema,
      withFlags(
        [
          '--rate',
          'max',
          '--tickets-per-hour',
          '600',
          '--burst-factor=12',
          '--dry-run',
          '--late-by',
          '600',
        ],
        { ...stack, TICKET_PRODUCER_RATE: '3' },
      ),
    );
    expect(cfg.producer).toMatchObject({
      TICKET_PRODUCER_RATE: Infinity,
      TICKET_PRODUCER_TICKETS_PER_HOUR: 600,
      TICKET_PRODUCER_BURST_FACTOR: 12,
      TICKET_PRODUCER_DRY_RUN: true,
      TICKET_PRODUCER_LATE_BY_SECONDS: 600,
    });
    expect(() => withFlags(['--interval', '3'], stack)).toThrow(FlagError);
    expect(usage()).toContain('--tickets-per-hour  (TICKET_PRODUCER_TICKETS_PER_HOUR)');
    expect(() =>
      loadConfig(producerConfigSchema, {
        ...stack,
        TICKET_PRODUCER_BURST_FACTOR: '0.5',
        TICKET_PRODUCER_DUPLICATES: '2',
      }),
    ).toThrow(/TICKET_PRODUCER_DUPLICATES[\s\S]*TICKET_PRODUCER_BURST_FACTOR/);
  });

  it('refuses rate and speed-up together: the ticket rate ties them', () => {
    expect(() =>
      loadConfig(producerConfigSchema, withFlags(['--rate', '10', '--speedup', '60'], stack)),
    ).toThrow(/TICKET_PRODUCER_SPEEDUP: give TICKET_PRODUCER_RATE or TICKET_PRODUCER_SPEEDUP/);
    expect(
      loadConfig(producerConfigSchema, withFlags(['--rate', 'max', '--speedup', '60'], stack))
        .producer.TICKET_PRODUCER_SPEEDUP,
    ).toBe(60);
  });
});
