import { contractOf } from '@citypulse/contracts';
import { NOOP_METRICS, type KafkaMetrics } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { NOOP_SIMULATION_METRICS, type SimulationMetrics } from '@citypulse/simulation';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ProducerConfig } from './config/producer.config';
import { ProducerService } from './producer.service';
import { CITY, KAFKA_METRICS, OUTPUT_TOPIC, PRODUCER_CONFIG, PRODUCER_METRICS } from './tokens';

export interface ProducerModuleOptions {
  config: ProducerConfig;
  metrics?: SimulationMetrics;
  kafkaMetrics?: KafkaMetrics;
  /** the raw tickets topic of the contracts unless given (tests use topics of their own) */
  topic?: string;
}

@Module({})
export class ProducerModule {
  static forRoot(options: ProducerModuleOptions): DynamicModule {
    const cityFile = options.config.producer.TICKET_PRODUCER_CITY_FILE;
    return {
      module: ProducerModule,
      providers: [
        { provide: PRODUCER_CONFIG, useValue: options.config },
        // Tickets name the zones of the canonical city (the reference tables' seed).
        { provide: CITY, useFactory: () => (cityFile ? loadCity(cityFile) : loadCity()) },
        { provide: PRODUCER_METRICS, useValue: options.metrics ?? NOOP_SIMULATION_METRICS },
        { provide: KAFKA_METRICS, useValue: options.kafkaMetrics ?? NOOP_METRICS },
        { provide: OUTPUT_TOPIC, useValue: options.topic ?? contractOf('ticketsRaw').topic },
        ProducerService,
      ],
      exports: [ProducerService],
    };
  }
}
