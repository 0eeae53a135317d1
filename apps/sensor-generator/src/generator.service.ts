import { contractOf } from '@citypulse/contracts';
import type { KafkaMetrics, TopicProducer } from '@citypulse/kafka';
import type { CityDefinition } from '@citypulse/postgres';
import {
  KafkaStreamsSink,
  connectProducer,
  openSinks,
  reportEncodeFailures,
  runSimulation,
  type RecordSink,
  type RunSummary,
  type SimulationMetrics,
} from '@citypulse/simulation';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { GeneratorConfig } from './config/generator.config';
import { describePlan, planRun } from './run/plan';
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
    const g = this.config.generator;
    const plan = planRun(g, this.city, Date.now());
    this.log.log(describePlan(plan));
    const sinks = await openSinks<CityRecord>(
      { dump: g.GENERATOR_DUMP, dryRun: g.GENERATOR_DRY_RUN, log: this.log },
      () => this.openKafka(plan.generation.streams),
    );
    return runSimulation({
      sinks,
      source: () => createCityInjector(plan.generation),
      run: plan.run,
      signal,
      metrics: this.metrics,
      log: this.log,
      unit: 'records',
      faults: (_summary, injector) =>
        Object.entries(injector.injectedByStream())
          .map(([s, m]) => `${s} ${JSON.stringify(Object.fromEntries(m))}`)
          .join('; '),
      eventsPerSecond: (n) => String(Math.round(n)),
    });
  }

  private async openKafka(streams: readonly GeneratorStream[]): Promise<RecordSink<CityRecord>> {
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
    // A value a schema refuses (a generator bug) is counted, logged and skipped: the run goes on.
    return new KafkaStreamsSink<GeneratorStream, CityRecord>(
      producer,
      bound as Record<GeneratorStream, TopicProducer<unknown>>,
      reportEncodeFailures(this.metrics, this.log),
    );
  }
}
