import { contractOf } from '@citypulse/contracts';
import type { KafkaMetrics, TopicProducer } from '@citypulse/kafka';
import type { CityDefinition } from '@citypulse/postgres';
import {
  JsonlDumpSink,
  KafkaStreamsSink,
  SimulationRunner,
  connectProducer,
  type RecordSink,
  type RunSummary,
  type SimulationMetrics,
} from '@citypulse/simulation';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { GeneratorConfig } from './config/generator.config';
import { describePlan, planRun, type RunPlan } from './run/plan';
import {
  STREAM_CONTRACTS,
  createCityInjector,
  type CityRecord,
  type GeneratorStream,
} from './streams/city-streams';
import { CITY, GENERATOR_CONFIG, GENERATOR_METRICS, KAFKA_METRICS, OUTPUT_TOPICS } from './tokens';

/** Runs the simulation once: plan from the config, sinks (Kafka and/or a dump), pace, report. */
@Injectable()
export class GeneratorService {
  private readonly log = new Logger('SensorGenerator');

  constructor(
    @Inject(GENERATOR_CONFIG) private readonly config: GeneratorConfig,
    @Inject(CITY) private readonly city: CityDefinition,
    @Inject(GENERATOR_METRICS) private readonly metrics: SimulationMetrics,
    @Inject(KAFKA_METRICS) private readonly kafkaMetrics: KafkaMetrics,
    @Inject(OUTPUT_TOPICS) private readonly topics: Record<GeneratorStream, string>,
  ) {}

  async run(signal?: AbortSignal): Promise<RunSummary> {
    const plan = planRun(this.config.generator, this.city, Date.now());
    this.log.log(describePlan(plan));
    const sinks = await this.openSinks(plan);
    let progress: NodeJS.Timeout | undefined;
    try {
      const injector = createCityInjector(plan.generation);
      const runner = new SimulationRunner<CityRecord>(
        injector,
        sinks,
        { ...plan.run, ...(signal && { signal }) },
        this.metrics,
      );
      progress = setInterval(() => this.log.log(`sent ${runner.sent} records`), 5_000);
      const summary = await runner.run();
      const perStream = Object.entries(injector.injectedByStream())
        .map(([s, m]) => `${s} ${JSON.stringify(Object.fromEntries(m))}`)
        .join('; ');
      this.log.log(
        `done: ${summary.sent} records in ${(summary.elapsedMs / 1000).toFixed(1)} s ` +
          `(${Math.round(summary.eventsPerSecond)} events/s); faults ${perStream}` +
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

  private async openSinks(plan: RunPlan): Promise<RecordSink<CityRecord>[]> {
    const g = this.config.generator;
    const sinks: RecordSink<CityRecord>[] = [];
    if (g.GENERATOR_DUMP) {
      sinks.push(new JsonlDumpSink<CityRecord>(g.GENERATOR_DUMP));
      this.log.log(`dumping every sent record to ${g.GENERATOR_DUMP}`);
    }
    if (!g.GENERATOR_DRY_RUN) {
      const streams = plan.generation.streams;
      const producer = await connectProducer({
        kafka: this.config.kafka,
        registry: this.config.registry,
        metrics: this.kafkaMetrics,
        topics: streams.map((s) => ({
          topic: this.topics[s],
          partitions: contractOf(STREAM_CONTRACTS[s]).partitions,
        })),
      });
      const bound: Partial<Record<GeneratorStream, TopicProducer<unknown>>> = {};
      for (const s of streams) {
        const topic = await producer.topic<unknown>(this.topics[s], {
          schema: contractOf(STREAM_CONTRACTS[s]).schema,
        });
        bound[s] = topic;
        this.log.log(`producing ${s} to ${topic.topic} (schema id ${topic.schemaId})`);
      }
      sinks.push(
        new KafkaStreamsSink<GeneratorStream, CityRecord>(
          producer,
          bound as Record<GeneratorStream, TopicProducer<unknown>>,
        ),
      );
    }
    return sinks;
  }
}
