import type { KafkaConfig, SchemaRegistryConfig } from '@citypulse/config';
import { Metrics } from '@citypulse/observability';
import type { KafkaConnectionOptions } from './connection';
import { kafkaConfig } from './connection';
import type { KafkaMetrics } from './metrics';
import { SchemaRegistryClient, type SchemaRegistryOptions } from '@citypulse/contracts';

// The other platform libraries plug in as they are: these assignments are the compile-time check.
describe('platform libraries fit', () => {
  it("libs/observability's Metrics is a KafkaMetrics", async () => {
    const metrics = new Metrics({ service: 'kafka-spec', defaultMetrics: false });
    const m: KafkaMetrics = metrics;
    m.consumed('t', 3, 0);
    m.dlq('t', 'BAD_FRAME');
    m.e2eLatency('t', 0.25);
    m.lag('t', 0, 42);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/citypulse_\w*consumed\w*\{[^}]*topic="t"[^}]*\} 3/);
    expect(text).toMatch(/reason="BAD_FRAME"/);
  });

  it("libs/config's kafka and registry fragments are connection options", () => {
    const cfg: KafkaConfig = {
      brokers: ['127.0.0.1:9092'],
      clientId: 'x',
      ssl: { rejectUnauthorized: true, ca: ['pem'] },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    };
    const conn: KafkaConnectionOptions = cfg;
    expect(kafkaConfig(conn)).toMatchObject({
      ssl: { ca: ['pem'] },
      sasl: { mechanism: 'scram-sha-512' },
    });
    const reg: SchemaRegistryConfig = { url: 'http://r', auth: { username: 'u', password: 'p' } };
    const opts: SchemaRegistryOptions = reg;
    expect(new SchemaRegistryClient(opts)).toBeInstanceOf(SchemaRegistryClient);
  });
});
