import { contractOf } from '@citypulse/contracts';
import { NOOP_METRICS, type KafkaMetrics } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { NOOP_SIMULATION_METRICS, type SimulationMetrics } from '@citypulse/simulation';
import { Module, type DynamicModule } from '@nestjs/common';
import type { GeneratorConfig } from './config/generator.config';
import { GeneratorService } from './generator.service';
import { GENERATOR_STREAMS, STREAM_CONTRACTS, type GeneratorStream } from './streams/city-streams';
import { CITY, GENERATOR_CONFIG, GENERATOR_METRICS, KAFKA_METRICS, OUTPUT_TOPICS } from './tokens';

export interface GeneratorModuleOptions {
  config: GeneratorConfig;
  metrics?: SimulationMetrics;
  kafkaMetrics?: KafkaMetrics;
  /** the raw traffic topic of the contracts unless given (tests use topics of their own) */
  topic?: string;
  /** any stream's topic, instead of the contracts' (tests) */
  topics?: Partial<Record<GeneratorStream, string>>;
}

@Module({})
export class GeneratorModule {
  static forRoot(options: GeneratorModuleOptions): DynamicModule {
    const cityFile = options.config.generator.GENERATOR_CITY_FILE;
    const topics = Object.fromEntries(
      GENERATOR_STREAMS.map((s) => [
        s,
        options.topics?.[s] ??
          (s === 'traffic' ? options.topic : undefined) ??
          contractOf(STREAM_CONTRACTS[s]).topic,
      ]),
    ) as Record<GeneratorStream, string>;
    return {
      module: GeneratorModule,
      providers: [
        { provide: GENERATOR_CONFIG, useValue: options.config },
        // The canonical city of libs/postgres (the same file the reference tables are seeded from).
        { provide: CITY, useFactory: () => (cityFile ? loadCity(cityFile) : loadCity()) },
        { provide: GENERATOR_METRICS, useValue: options.metrics ?? NOOP_SIMULATION_METRICS },
        { provide: KAFKA_METRICS, useValue: options.kafkaMetrics ?? NOOP_METRICS },
        { provide: OUTPUT_TOPICS, useValue: topics },
        GeneratorService,
      ],
      exports: [GeneratorService],
    };
  }
}
