/**
 * One normalizer worker in process on topics and a consumer group of its own, against the real
 * stack (make up): Kafka, the schema registry and PostgreSQL with the seeded reference tables.
 * Used by the integration specs; every harness cleans up its topics.
 */
import 'reflect-metadata';
import { loadConfig } from '@citypulse/config';
import { contractOf, dlqTopic, type StreamName, type ValueOf } from '@citypulse/contracts';
import { AvroSerde, KafkaProducer, SchemaRegistryClient, createKafka } from '@citypulse/kafka';
import { Metrics } from '@citypulse/observability';
import { stackEnv, uniqueName, waitFor } from '@citypulse/testing';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Consumer, Kafka } from 'kafkajs';
import {
  normalizerConfigSchema,
  type NormalizerConfig,
  type WorkerName,
} from '../src/config/normalizer.config';
import { NormalizerModule } from '../src/normalizer.module';
import { normalizerTransport } from '../src/transport';

export interface Collected<T> {
  key: string;
  value: T;
  headers: Record<string, string>;
}

export class WorkerHarness {
  readonly input: string;
  readonly output: string;
  readonly config: NormalizerConfig;
  readonly kafka: Kafka;
  readonly serde: AvroSerde;
  readonly registry: SchemaRegistryClient;
  private readonly producer: KafkaProducer;
  private readonly consumers: Consumer[] = [];
  private app: INestMicroservice | undefined;

  constructor(readonly worker: WorkerName) {
    this.input = uniqueName(`it-${worker}-raw`);
    this.output = uniqueName(`it-${worker}-normalized`);
    this.config = loadConfig(normalizerConfigSchema, {
      ...stackEnv(),
      NORMALIZER_WORKER: worker,
      NORMALIZER_GROUP_ID: uniqueName(`it-normalizer-${worker}`),
      NORMALIZER_METRICS_PORT: '0',
      NORMALIZER_MAX_BATCH: '50',
    });
    this.kafka = createKafka({ ...this.config.kafka, logLevel: 'nothing' });
    const { url, auth } = this.config.registry;
    this.registry = new SchemaRegistryClient({
      url,
      username: auth?.username,
      password: auth?.password,
    });
    this.serde = new AvroSerde(this.registry);
    this.producer = new KafkaProducer({ kafka: this.kafka, serde: this.serde });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    const metrics = new Metrics({ service: 'normalizer', defaultMetrics: false });
    this.app = await NestFactory.createMicroservice(
      NormalizerModule.forRoot(this.config, metrics, { input: this.input, output: this.output }),
      {
        strategy: normalizerTransport(this.config, metrics),
        logger: false,
        abortOnError: false,
      },
    );
    await this.app.listen();
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    await this.app?.close();
    await this.producer.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: [this.input, this.output, dlqTopic(this.input)] })
      .catch(() => undefined);
    await admin.disconnect();
  }

  /** Produces raw values in the stream's contract schema, keyed as the contract keys them. */
  async send<S extends StreamName>(stream: S, values: ValueOf<S>[]): Promise<void> {
    const contract = contractOf(stream);
    const tp = await this.producer.topic<ValueOf<S>>(this.input, { schema: contract.schema });
    await tp.send(values.map((value) => ({ key: contract.key(value).trim(), value })));
  }

  sendRaw(values: Buffer[], key: string): Promise<void> {
    return this.producer.sendRaw(
      this.input,
      values.map((value) => ({ key, value })),
    );
  }

  /** The normalized topic, decoded, as it fills. */
  normalized<T>(): Promise<Collected<T>[]> {
    return this.collect(this.output, async (b) => (await this.serde.decode(b)).value as T);
  }

  /** The dead-letter topic of the input, raw bytes, as it fills. */
  deadLetters(): Promise<Collected<Buffer>[]> {
    return this.collect(dlqTopic(this.input), (b) => Promise.resolve(b));
  }

  /**
   * Waits until both topics hold what is expected, then until the group committed the whole
   * input (so nothing more will come: a duplicate was dropped, not merely late), then checks the
   * counts are exact.
   */
  async settle(
    normalized: unknown[],
    dlq: unknown[],
    expected: { normalized: number; dlq: number },
  ): Promise<void> {
    const what = `${expected.normalized} normalized and ${expected.dlq} DLQ records`;
    await waitFor(() => normalized.length >= expected.normalized && dlq.length >= expected.dlq, {
      timeoutMs: 90_000,
      what,
    });
    await waitFor(() => this.inputFullyCommitted(), {
      timeoutMs: 30_000,
      what: 'the group to commit the whole input',
    });
    await waitFor(() => normalized.length === expected.normalized && dlq.length === expected.dlq, {
      timeoutMs: 5_000,
      what: `exactly ${what}`,
    });
  }

  private async collect<T>(
    topic: string,
    decode: (b: Buffer) => Promise<T>,
  ): Promise<Collected<T>[]> {
    const out: Collected<T>[] = [];
    const c = this.kafka.consumer({ groupId: uniqueName('it-reader') });
    this.consumers.push(c);
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({
          key: message.key?.toString() ?? '',
          value: await decode(message.value!),
          headers,
        });
      },
    });
    return out;
  }

  private async inputFullyCommitted(): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(this.input);
      const [committed] = await admin.fetchOffsets({
        groupId: this.config.normalizer.NORMALIZER_GROUP_ID!,
        topics: [this.input],
      });
      // A partition that never got a record has nothing to commit (offset -1, high 0).
      return ends.every((e) => {
        const c = committed?.partitions.find((p) => p.partition === e.partition);
        return e.high === e.low || c?.offset === e.high;
      });
    } finally {
      await admin.disconnect();
    }
  }
}
