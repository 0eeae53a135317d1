import type { DynamicModule } from '@nestjs/common';
import type { NormalizerConfig, WorkerName } from '../config/normalizer.config';
import { WorkerModule, type WorkerOptions } from '../runtime/worker.module';
import { incidentsStream } from './incidents/incidents.stream';
import { ticketsStream } from './tickets/tickets.stream';
import { trafficStream } from './traffic/traffic.stream';
import { transportStream } from './transport/transport.stream';

/** Topic overrides, for tests that need topics of their own. */
export interface WorkerTopics {
  input?: string;
  output?: string;
}

/** Every worker's stream definition, by the NORMALIZER_WORKER value that selects it. */
export const STREAMS = {
  traffic: trafficStream,
  transport: transportStream,
  incidents: incidentsStream,
  tickets: ticketsStream,
} as const satisfies { [W in WorkerName]: { name: W } };

/**
 * The worker chosen by NORMALIZER_WORKER: its stream definition on the shared runtime. A new
 * stream is one folder beside workers/traffic (its normalize function and definition), one
 * entry in STREAMS and one case here.
 */
export function workerModule(config: NormalizerConfig, topics: WorkerTopics = {}): DynamicModule {
  const options: WorkerOptions = {
    inputTopic: topics.input,
    outputTopic: topics.output,
    maxBatchRecords: config.normalizer.NORMALIZER_MAX_BATCH,
  };
  const worker = config.normalizer.NORMALIZER_WORKER;
  switch (worker) {
    case 'traffic':
      return WorkerModule.register(STREAMS.traffic, options);
    case 'transport':
      return WorkerModule.register(STREAMS.transport, options);
    case 'incidents':
      return WorkerModule.register(STREAMS.incidents, options);
    case 'tickets':
      return WorkerModule.register(STREAMS.tickets, options);
  }
}
