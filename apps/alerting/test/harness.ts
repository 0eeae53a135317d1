/**
 * The alerting service against the real stack (make up) on topics, consumer groups and a
 * PostgreSQL schema of its own per run: Kafka, the schema registry and PostgreSQL are real; the
 * webhook receivers are real HTTP servers the test starts. Every harness cleans up after itself.
 */
import 'reflect-metadata';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@citypulse/config';
import { contractOf, type Alert, type StreamName, type ValueOf } from '@citypulse/contracts';
import { AvroSerde, createKafka, KafkaProducer, SchemaRegistryClient } from '@citypulse/kafka';
import { stackEnv, uniqueName } from '@citypulse/testing';
import type { Consumer, Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { alertingConfigSchema, DEFAULT_RULES_FILE, type AlertingConfig } from '../src/config';
import { startAlerting, type AlertingTopics } from '../src/main';
import { loadRules } from '../src/rules/rules-file';

export type Running = Awaited<ReturnType<typeof startAlerting>>;

/** The shipped rules with the given changes, and every rule not named in `enabled` switched off. */
export function testRules(
  enabled: string[],
  change: (r: Record<string, Record<string, unknown>>) => void,
): string {
  const r = structuredClone(loadRules(DEFAULT_RULES_FILE)) as unknown as Record<
    string,
    Record<string, unknown>
  >;
  for (const [k, v] of Object.entries(r))
    if (typeof v === 'object' && !enabled.includes(k)) v.enabled = false;
  change(r);
  const file = join(mkdtempSync(join(tmpdir(), 'alerting-rules-')), 'rules.json');
  writeFileSync(file, JSON.stringify(r));
  return file;
}

export class AlertingHarness {
  readonly prefix = uniqueName('it-alerting');
  readonly topics: AlertingTopics = {
    traffic: `${this.prefix}.traffic`,
    transport: `${this.prefix}.transport`,
    incidents: `${this.prefix}.incidents`,
    alerts: `${this.prefix}.alerts`,
    deadLetters: { [`${this.prefix}.traffic.raw.dlq`]: 'traffic' },
  };
  readonly groupId = uniqueName('it-alerting');
  readonly pgSchema = uniqueName('it_alerting').replace(/-/g, '_');
  readonly kafka: Kafka;
  readonly serde: AvroSerde;
  private readonly env = stackEnv();
  private readonly admin: Pool;
  private readonly producer: KafkaProducer;
  private readonly consumers: Consumer[] = [];
  private readonly pools: Pool[] = [];

  constructor() {
    this.kafka = createKafka({
      brokers: this.env.KAFKA_BROKERS.split(','),
      clientId: 'it-alerting',
      logLevel: 'nothing',
    });
    this.serde = new AvroSerde(new SchemaRegistryClient({ url: this.env.SCHEMA_REGISTRY_URL }));
    this.producer = new KafkaProducer({ kafka: this.kafka, serde: this.serde, lingerMs: 1 });
    this.admin = new Pool({ connectionString: this.env.POSTGRES_URL, max: 1 });
  }

  /** POSTGRES_URL with this run's schema as search_path. */
  get postgresUrl(): string {
    const url = this.env.POSTGRES_URL;
    return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${this.pgSchema}`)}`;
  }

  /** The environment of a service instance of this run (for loadConfig, or a child process). */
  serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...this.env,
      POSTGRES_URL: this.postgresUrl,
      ALERTING_GROUP_ID: this.groupId,
      ALERTING_METRICS_PORT: '0',
      ALERTING_HTTP_PORT: '0',
      ALERTING_FROM_BEGINNING: 'true',
      ALERTING_MAX_BATCH: '100',
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  config(extra: Record<string, string> = {}): AlertingConfig {
    return loadConfig(alertingConfigSchema, this.serviceEnv(extra));
  }

  async setup(): Promise<void> {
    await this.admin.query(`CREATE SCHEMA ${this.pgSchema}`);
    await this.producer.connect();
  }

  start(extra: Record<string, string> = {}): Promise<Running> {
    return startAlerting(this.config(extra), { topics: this.topics, defaultMetrics: false });
  }

  /** Produces values in the stream's contract schema, keyed as the contract keys them. */
  async send<S extends StreamName>(stream: S, topic: string, values: ValueOf<S>[]): Promise<void> {
    const contract = contractOf(stream);
    const tp = await this.producer.topic<ValueOf<S>>(topic, { schema: contract.schema });
    await tp.send(values.map((value) => ({ key: contract.key(value), value })));
  }

  /** The alerts topic, decoded, as it fills. */
  async alerts(): Promise<Alert[]> {
    const out: Alert[] = [];
    const c = this.kafka.consumer({ groupId: uniqueName('it-alerts-reader') });
    this.consumers.push(c);
    await c.connect();
    await c.subscribe({ topic: this.topics.alerts, fromBeginning: true });
    await c.run({
      eachMessage: async ({ message }) => {
        out.push((await this.serde.decode<Alert>(message.value)).value);
      },
    });
    return out;
  }

  /** A dead-letter topic as it fills: keys, raw values and headers as text. */
  async deadLetters(topic: string): Promise<{ key: string; headers: Record<string, string> }[]> {
    const out: { key: string; headers: Record<string, string> }[] = [];
    const c = this.kafka.consumer({ groupId: uniqueName('it-dlq-reader') });
    this.consumers.push(c);
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      eachMessage: ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({ key: message.key?.toString() ?? '', headers });
        return Promise.resolve();
      },
    });
    return out;
  }

  /** Whether the rule evaluation's group committed every record of the input topics. */
  async inputsCommitted(): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = [this.topics.traffic, this.topics.transport, this.topics.incidents];
      const committed = await admin.fetchOffsets({ groupId: this.groupId, topics });
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const c = committed.find((t) => t.topic === topic);
        const done = ends.every((e) => {
          const p = c?.partitions.find((x) => x.partition === e.partition);
          return e.high === e.low || p?.offset === e.high;
        });
        if (!done) return false;
      }
      return true;
    } finally {
      await admin.disconnect();
    }
  }

  /** A pool on this run's schema. */
  pool(): Pool {
    const p = new Pool({ connectionString: this.postgresUrl, max: 2 });
    this.pools.push(p);
    return p;
  }

  async teardown(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    await this.producer.disconnect().catch(() => undefined);
    await Promise.allSettled(this.pools.map((p) => p.end()));
    const admin = this.kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(this.prefix));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
    await this.admin.query(`DROP SCHEMA IF EXISTS ${this.pgSchema} CASCADE`);
    await this.admin.end();
  }
}
