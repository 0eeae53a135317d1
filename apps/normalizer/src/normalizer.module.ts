import { KafkaTransportModule } from '@citypulse/kafka';
import type { Metrics } from '@citypulse/observability';
import { Module, type DynamicModule } from '@nestjs/common';
import type { NormalizerConfig } from './config/normalizer.config';
import { CoreModule } from './core/core.module';
import { workerModule, type WorkerTopics } from './workers/workers';

@Module({})
export class NormalizerModule {
  static forRoot(
    config: NormalizerConfig,
    metrics: Metrics,
    topics: WorkerTopics = {},
  ): DynamicModule {
    return {
      module: NormalizerModule,
      imports: [
        KafkaTransportModule,
        CoreModule.forRoot(config, metrics),
        workerModule(config, topics),
      ],
    };
  }
}
