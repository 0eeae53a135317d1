import 'reflect-metadata';
import { loadConfigOrExit, loadRepoEnvFiles } from '@citypulse/config';
import { withKafkaReadiness } from '@citypulse/kafka';
import { Metrics, startObservabilityServer } from '@citypulse/observability';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FlagError, producerConfigSchema, usage, withFlags } from './config/producer.config';
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
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  loadRepoEnvFiles();
  let source;
  try {
    source = withFlags(argv, process.env);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(64);
  }
  const config = loadConfigOrExit(producerConfigSchema, source);
  const metrics = new Metrics({ service: 'ticket-producer' });
  const obs = await startObservabilityServer({ metrics, port: config.metrics.port });
  const kafkaReady = config.producer.TICKET_PRODUCER_DRY_RUN
    ? { set: () => undefined }
    : obs.health.flag('kafka');
  const app = await NestFactory.createApplicationContext(
    ProducerModule.forRoot({
      config,
      metrics: producerMetrics(metrics),
      kafkaMetrics: withKafkaReadiness(metrics, kafkaReady),
    }),
    { logger: config.log.level === 'silent' ? false : undefined },
  );
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      new Logger('TicketProducer').log(`${signal}: finishing the batch in flight`);
      stop.abort();
    });
  }
  try {
    await app.get(ProducerService).run(stop.signal);
  } finally {
    await app.close();
    await obs.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    new Logger('TicketProducer').error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
