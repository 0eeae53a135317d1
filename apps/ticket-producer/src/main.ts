import 'reflect-metadata';
import { runSimulationApp } from '@citypulse/simulation';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PRODUCER_FLAGS, producerConfigSchema } from './config/producer.config';
import { producerMetrics } from './metrics/producer-metrics';
import { ProducerModule } from './producer.module';
import { ProducerService } from './producer.service';

/**
 * ticket-producer: simulates citizen support tickets and produces them to the raw tickets topic.
 * Flags mirror the TICKET_PRODUCER_* variables (see README.md), e.g.
 *   node dist/main.js --speedup 60 --burst-factor 12 --duplicates 0.01 --events 10000
 * Exits 0 when the run ends (event/time bound reached, or SIGINT/SIGTERM), 1 on failure,
 * 64 on bad flags, 78 on a bad configuration.
 */
runSimulationApp({
  service: 'ticket-producer',
  logger: new Logger('TicketProducer'),
  flags: PRODUCER_FLAGS,
  schema: producerConfigSchema,
  dryRun: (config) => config.producer.TICKET_PRODUCER_DRY_RUN,
  start: async ({ config, metrics, kafkaMetrics }) => {
    const app = await NestFactory.createApplicationContext(
      ProducerModule.forRoot({ config, metrics: producerMetrics(metrics), kafkaMetrics }),
      { logger: config.log.level === 'silent' ? false : undefined },
    );
    return { run: (signal) => app.get(ProducerService).run(signal), close: () => app.close() };
  },
});
