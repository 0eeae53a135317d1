import { contractOf } from '@citypulse/contracts';
import { NOOP_METRICS, type KafkaMetrics } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { Module, type DynamicModule } from '@nestjs/common';
import type { GeneratorConfig } from './config/generator.config';
import { GeneratorService } from './generator.service';
import { NOOP_GENERATOR_METRICS, type GeneratorMetrics } from './run/generator-runner';
import { CITY, GENERATOR_CONFIG, GENERATOR_METRICS, KAFKA_METRICS, OUTPUT_TOPIC } from './tokens';

export interface GeneratorModuleOptions {
  config: GeneratorConfig;
  metrics?: GeneratorMetrics;
  kafkaMetrics?: KafkaMetrics;
  /** the raw traffic topic of the contracts unless given (tests use topics of their own) */
  topic?: string;
}

@Module({})
export class GeneratorModule {
  static forRoot(options: GeneratorModuleOptions): DynamicModule {
    const cityFile = options.config.generator.GENERATOR_CITY_FILE;
    return {
      module: GeneratorModule,
      providers: [
        { provide: GENERATOR_CONFIG, useValue: options.config },
        // The canonical city of libs/postgres (the same file the reference tables are seeded from).
        { provide: CITY, useFactory: () => (cityFile ? loadCity(cityFile) : loadCity()) },
        { provide: GENERATOR_METRICS, useValue: options.metrics ?? NOOP_GENERATOR_METRICS },
        { provide: KAFKA_METRICS, useValue: options.kafkaMetrics ?? NOOP_METRICS },
        { provide: OUTPUT_TOPIC, useValue: options.topic ?? contractOf('trafficRaw').topic },
        GeneratorService,
      ],
      exports: [GeneratorService],
    };
  }
}
