import { TOPICS } from '@citypulse/contracts';
import type { DynamicModule } from '@nestjs/common';
import type { NormalizerConfig, WorkerName } from '../config/normalizer.config';
import { TrafficWorkerModule } from './traffic/traffic.module';

/** Topic overrides, for tests that need topics of their own. */
export interface WorkerTopics {
  input?: string;
  output?: string;
}

/** The input topic a worker consumes (what the transport subscribes to). */
export function workerInputTopic(worker: WorkerName): string {
  switch (worker) {
    case 'traffic':
      return TOPICS.trafficRaw;
    case 'transport':
      return TOPICS.transportRaw;
    case 'incidents':
      return TOPICS.incidentsRaw;
    case 'tickets':
      return TOPICS.ticketsRaw;
  }
}

export class WorkerNotImplementedError extends Error {
  readonly code = 'WORKER_NOT_IMPLEMENTED';
  readonly retriable = false;
}

/**
 * The module of the worker chosen by NORMALIZER_WORKER. A new source is one more case here and
 * one more folder beside workers/traffic (its normalizer function, batch processor, consumer).
 */
export function workerModule(config: NormalizerConfig, topics: WorkerTopics = {}): DynamicModule {
  const worker = config.normalizer.NORMALIZER_WORKER;
  const maxBatchRecords = config.normalizer.NORMALIZER_MAX_BATCH;
  switch (worker) {
    case 'traffic':
      return TrafficWorkerModule.register({
        inputTopic: topics.input ?? TOPICS.trafficRaw,
        outputTopic: topics.output ?? TOPICS.trafficNormalized,
        maxBatchRecords,
      });
    case 'transport':
    case 'incidents':
    case 'tickets':
      throw new WorkerNotImplementedError(
        `the ${worker} worker is not implemented yet (NORMALIZER_WORKER=traffic is)`,
      );
  }
}
