import { KafkaTransportModule } from '@citypulse/kafka';
import { Module, type DynamicModule } from '@nestjs/common';
import { AlertsController } from './api/alerts.controller';
import type { AlertStore } from './output/alert-store';
import type { EvaluateReadings } from './readings/evaluate-readings';
import { readingsConsumer, type InputTopics } from './readings/readings.consumer';
import { ALERT_STORE, EVALUATE_READINGS } from './tokens';

@Module({})
export class AppModule {
  /** The Kafka handlers of the input topics and the REST API, over objects main.ts built. */
  static forRoot(deps: {
    evaluate: EvaluateReadings;
    store: AlertStore;
    topics: InputTopics;
    maxBatchRecords: number;
  }): DynamicModule {
    return {
      module: AppModule,
      imports: [KafkaTransportModule],
      controllers: [readingsConsumer(deps.topics, deps.maxBatchRecords), AlertsController],
      providers: [
        { provide: EVALUATE_READINGS, useValue: deps.evaluate },
        { provide: ALERT_STORE, useValue: deps.store },
      ],
    };
  }
}
