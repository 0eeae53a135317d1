import { Module, type DynamicModule } from '@nestjs/common';
import type { Metrics } from '@citypulse/observability';
import { AggregatesModule } from './aggregates/aggregates.module';
import type { SinkConfig } from './config';
import { DatabaseModule } from './infra/database.module';
import { SinkMetrics } from './infra/sink-metrics';
import { SINK_CONFIG } from './infra/tokens';
import { ReadApiModule } from './read-api/read-api.module';

@Module({})
export class AppModule {
  /** The whole sink for a validated config and the process's metrics registry. */
  static forRoot(config: SinkConfig, sinkMetrics: SinkMetrics): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [DatabaseModule, AggregatesModule, ReadApiModule],
      providers: [
        { provide: SINK_CONFIG, useValue: config },
        { provide: SinkMetrics, useValue: sinkMetrics },
      ],
      exports: [SINK_CONFIG, SinkMetrics],
    };
  }
}

export type { Metrics };
