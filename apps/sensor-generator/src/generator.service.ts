import { contractOf, type TrafficReadingRaw } from '@citypulse/contracts';
import {
  AvroSerde,
  KafkaProducer,
  SchemaRegistryClient,
  createKafka,
  ensureTopics,
  type KafkaMetrics,
} from '@citypulse/kafka';
import type { CityDefinition } from '@citypulse/postgres';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { GeneratorConfig } from './config/generator.config';
import { JsonlDumpSink } from './dump/dump-sink';
import { createInjector } from './dump/generate';
import { KafkaRecordSink } from './kafka/kafka-sink';
import {
  GeneratorRunner,
  type GeneratorMetrics,
  type RecordSink,
  type RunSummary,
} from './run/generator-runner';
import { describePlan, planRun } from './run/plan';
import { CITY, GENERATOR_CONFIG, GENERATOR_METRICS, KAFKA_METRICS, OUTPUT_TOPIC } from './tokens';

/** Runs the simulation once: plan from the config, sinks (Kafka and/or a dump), pace, report. */
@Injectable()
export class GeneratorService {
  private readonly log = new Logger('SensorGenerator');

  constructor(
    @Inject(GENERATOR_CONFIG) private readonly config: GeneratorConfig,
    @Inject(CITY) private readonly city: CityDefinition,
    @Inject(GENERATOR_METRICS) private readonly metrics: GeneratorMetrics,
    @Inject(KAFKA_METRICS) private readonly kafkaMetrics: KafkaMetrics,
    @Inject(OUTPUT_TOPIC) private readonly topicName: string,
  ) {}

  async run(signal?: AbortSignal): Promise<RunSummary> {
    const plan = planRun(this.config.generator, this.city, Date.now());
    this.log.log(describePlan(plan));
    const sinks = await this.openSinks();
    let progress: NodeJS.Timeout | undefined;
    try {
      const runner = new GeneratorRunner(
        createInjector(plan.generation),
        sinks,
        { ...plan.run, ...(signal && { signal }) },
        this.metrics,
      );
      progress = setInterval(() => this.log.log(`sent ${runner.sent} records`), 5_000);
      const summary = await runner.run();
      this.log.log(
        `done: ${summary.sent} records in ${(summary.elapsedMs / 1000).toFixed(1)} s ` +
          `(${Math.round(summary.eventsPerSecond)} events/s); faults ${JSON.stringify(summary.faults)}` +
          (summary.lastEventTime
            ? `; simulated clock at ${new Date(summary.lastEventTime).toISOString()}`
            : ''),
      );
      return summary;
    } finally {
      clearInterval(progress);
      for (const s of sinks) await s.close();
    }
  }

  private async openSinks(): Promise<RecordSink[]> {
    const g = this.config.generator;
    const sinks: RecordSink[] = [];
    if (g.GENERATOR_DUMP) {
      sinks.push(new JsonlDumpSink(g.GENERATOR_DUMP));
      this.log.log(`dumping every sent record to ${g.GENERATOR_DUMP}`);
    }
    if (!g.GENERATOR_DRY_RUN) {
      const contract = contractOf('trafficRaw');
      const kafka = createKafka(this.config.kafka);
      await ensureTopics(kafka, [{ topic: this.topicName, partitions: contract.partitions }]);
      const { url, auth } = this.config.registry;
      const serde = new AvroSerde(
        new SchemaRegistryClient({ url, username: auth?.username, password: auth?.password }),
      );
      const producer = new KafkaProducer({ kafka, serde, metrics: this.kafkaMetrics });
      await producer.connect();
      const topic = await producer.topic<TrafficReadingRaw>(this.topicName, {
        schema: contract.schema,
      });
      sinks.push(new KafkaRecordSink(producer, topic));
      this.log.log(`producing to ${this.topicName} (schema id ${topic.schemaId})`);
    }
    return sinks;
  }
}
